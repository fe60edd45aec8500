/**
 * A real PostgreSQL server for tests: `initdb` into a temporary folder and `postgres` on a
 * free loopback port, run as a non-root user (`postgres`) when the tests run as root, as
 * PostgreSQL requires. Stopped by `stop()` and, whatever happens, when the process exits.
 * Missing binaries fail with a message saying what to install; nothing is skipped.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { freePort } from '../../../scripts/ports.mjs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface PgServer {
  readonly port: number;
  readonly host: string;
  /** The postmaster's pid (its backends are its children). */
  readonly pid: number;
  /** A connection URL for a database (default `postgres`) and role (default `postgres`). */
  url(database?: string, user?: string): string;
  /** Creates an empty database with a fresh name; answers its URL. */
  createDatabase(prefix?: string): Promise<string>;
  /** Runs one statement as the superuser on the `postgres` database. */
  query<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<T[]>;
  stop(): Promise<void>;
}

/** Where PostgreSQL's server binaries are: FG_PG_BIN, Debian's versioned folder, or PATH. */
export function postgresBinDir(): string {
  const candidates: string[] = [];
  if (process.env.FG_PG_BIN) candidates.push(process.env.FG_PG_BIN);
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) candidates.push(join(debian, v, 'bin'));
  }
  const onPath = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).stdout.trim();
  if (onPath) candidates.push(join(onPath, '..'));
  const found = candidates.find(
    (dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres')),
  );
  if (!found) {
    throw new Error(
      'PostgreSQL is not installed: these tests need its server binaries (initdb, postgres). ' +
        'Install the Debian package `postgresql` (apt-get install -y postgresql; .ci/run does), ' +
        'or point FG_PG_BIN at the folder holding initdb.',
    );
  }
  return found;
}

/** The uid/gid to run PostgreSQL as: ourselves, or `postgres` when we are root. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error(
      'PostgreSQL refuses to run as root and there is no `postgres` user to run it as ' +
        '(the Debian package `postgresql` creates one).',
    );
  }
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  // Last resort (a failed test, an exception): never leave a server behind.
  for (const child of running) child.kill('SIGKILL');
});

let databases = 0;

export async function startPostgres(): Promise<PgServer> {
  const bin = postgresBinDir();
  const user = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'fg-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const env = { ...process.env, LC_ALL: 'C', LANG: 'C' };
  const init = spawnSync(
    join(bin, 'initdb'),
    ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'],
    { cwd: dir, env, encoding: 'utf8', ...user },
  );
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed (${init.status}): ${init.stderr || init.error?.message}`);
  }

  const host = '127.0.0.1';
  let child: ChildProcess | undefined;
  let port = 0;
  let stopping = false;
  // A port found free can be taken before postgres binds it: try a few.
  for (let attempt = 0; attempt < 5 && !child; attempt++) {
    port = await freePort();
    const candidate = spawn(
      join(bin, 'postgres'),
      [
        '-D',
        data,
        '-k',
        dir,
        '-p',
        String(port),
        '-c',
        `listen_addresses=${host}`,
        '-c',
        'max_connections=200',
        // Test data is disposable: no need to wait for the disk.
        '-c',
        'fsync=off',
        '-c',
        'synchronous_commit=off',
        '-c',
        'full_page_writes=off',
      ],
      { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'], ...user },
    );
    running.add(candidate);
    let log = '';
    const ready = await new Promise<boolean>((resolve) => {
      const onData = (chunk: Buffer): void => {
        log += chunk.toString();
        if (log.includes('database system is ready to accept connections')) resolve(true);
      };
      candidate.stdout!.on('data', onData);
      candidate.stderr!.on('data', onData);
      candidate.once('exit', () => resolve(false));
      setTimeout(() => resolve(false), 20_000).unref();
    });
    if (ready) {
      child = candidate;
      // Keep the tail of its log, for the message if it ever stops by itself.
      const keep = (chunk: Buffer): void => {
        log = (log + chunk.toString()).slice(-8_000);
      };
      candidate.stdout!.on('data', keep);
      candidate.stderr!.on('data', keep);
      candidate.once('exit', (code, signal) => {
        if (!stopping) console.error(`PostgreSQL stopped by itself (${code ?? signal}):\n${log}`);
      });
    } else {
      candidate.kill('SIGKILL');
      running.delete(candidate);
      if (!/could not bind|Address already in use/i.test(log)) {
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`PostgreSQL did not start:\n${log}`);
      }
    }
  }
  if (!child) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error('PostgreSQL did not start: no free port');
  }
  const server = child;

  const url = (database = 'postgres', role = 'postgres'): string =>
    `postgres://${role}@${host}:${port}/${database}`;
  const admin = new pg.Pool({ connectionString: url(), max: 2 });
  admin.on('error', () => undefined);

  let stopped: Promise<void> | undefined;
  return {
    port,
    host,
    pid: server.pid!,
    url,
    async createDatabase(prefix = 'fg') {
      const name = `${prefix}_${process.pid}_${++databases}`;
      await admin.query(`CREATE DATABASE ${name}`);
      return url(name);
    },
    async query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) {
      return (await admin.query<T>(sql, params)).rows;
    },
    stop() {
      stopped ??= (async () => {
        stopping = true;
        await admin.end().catch(() => undefined);
        if (server.exitCode === null && server.signalCode === null) {
          await new Promise<void>((resolve) => {
            server.once('exit', () => resolve());
            // Immediate shutdown: the data is thrown away anyway.
            server.kill('SIGQUIT');
            setTimeout(() => server.kill('SIGKILL'), 5_000).unref();
          });
        }
        running.delete(server);
        rmSync(dir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}
