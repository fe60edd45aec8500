// main.ts as a process: the one line it prints, the real port, and a clean stop on SIGTERM.
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CloseCode } from '@fg/protocol';
import { post, SseClient, within, WsClient } from './helpers.js';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

function startMain(env: Record<string, string>): {
  child: ChildProcess;
  url: Promise<string>;
  output: string[];
} {
  const child = spawn(process.execPath, ['--conditions=fg-source', '--import', 'tsx', MAIN], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', NODE_ENV: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(line);
      const match = /^FG Live reference server listening on (https?:\/\/\S+)$/.exec(line);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${stderr}`)));
  });
  url.catch(() => undefined); // tests that expect an early exit never wait for a URL
  return { child, url, output };
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

describe('the server process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fg-process-test-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints its real URL, and on SIGTERM closes WebSockets with 1001, ends streams and exits 0', async () => {
    const { child, url: urlPromise } = startMain({ FG_DB: join(dir, 'nested', 'fg.db'), FG_DEMO: '' });
    try {
      const url = await within(urlPromise, 15_000, 'the server to listen');
      const port = Number(new URL(url).port);
      assert.ok(port > 0 && port !== 8787, 'PORT=0 picks a free port and prints it');
      const server = { url };
      assert.deepEqual(await (await fetch(`${url}/healthz`)).json(), { ok: true });
      // Demo mode is the default outside production.
      const { token } = (await (
        await post(server, '/api/demo/token', { consultantId: 'c-story' })
      ).json()) as {
        token: string;
      };
      const ws = await WsClient.connect(server, token);
      const sse = await SseClient.connect(server, token);
      await sse.next();
      child.kill('SIGTERM');
      const closed = await ws.closedWith(5000);
      assert.equal(closed.code, CloseCode.goingAway);
      await within(sse.ended, 5000, 'the SSE stream to end');
      assert.equal(await within(exited(child), 5000, 'the process to exit'), 0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('refuses to start without a JWT secret when demo mode is off', async () => {
    const { child } = startMain({ FG_DB: join(dir, 'prod.db'), FG_DEMO: '0', FG_JWT_SECRET: '' });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    assert.equal(await within(exited(child), 15_000, 'the process to exit'), 2);
    assert.match(stderr, /FG_JWT_SECRET is required/);
  });

  it('names FG_DB and its path, in one line, when the database cannot be opened there', async () => {
    // A directory where the file should be: SQLite cannot open it, whoever runs the test.
    const { child } = startMain({ FG_DB: dir });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    assert.equal(await within(exited(child), 15_000, 'the process to exit'), 2);
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
    assert.match(stderr, new RegExp(`^FG Live: FG_DB: cannot open the SQLite database ${dir} \\(`));
  });

  /** Why a server on `dbPath` does not start (one that does is closed, and the test fails). */
  async function refusal(dbPath: string): Promise<string> {
    const { startServer } = await import('../src/server.js');
    const { ConfigError } = await import('../src/config.js');
    const started = await startServer({ port: 0, dbPath, demo: true }).catch((error: Error) => error);
    if (!(started instanceof Error)) {
      await started.close();
      assert.fail(`a server started on ${dbPath}`);
    }
    assert.ok(started instanceof ConfigError, started.stack);
    return started.message;
  }

  it('refuses a second server on the SQLite file another one serves, and starts once that one has stopped', async () => {
    const { startServer } = await import('../src/server.js');
    const file = join(dir, 'shared.db');
    const link = join(dir, 'link.db');
    const first = await startServer({ port: 0, dbPath: file, demo: true });
    try {
      // It would not hear the first one's commits: its clients would wait for them.
      assert.equal(
        await refusal(file),
        `FG_DB: cannot open the SQLite database ${file} (in use by another FG Live server: one server per SQLite file)`,
      );
      // The same file by another path.
      symlinkSync(file, link);
      assert.match(await refusal(link), /in use by another FG Live server/);
    } finally {
      await first.close();
    }
    const second = await startServer({ port: 0, dbPath: file, demo: true });
    await second.close();
  });

  it("refuses a database of another application's, or of a later schema, naming FG_DB", async () => {
    const { startServer } = await import('../src/server.js');
    const foreign = join(dir, 'foreign.db');
    const other = new Database(foreign);
    other.exec('CREATE TABLE consultants (id TEXT, name TEXT)');
    other.close();
    assert.match(await refusal(foreign), /^FG_DB: .*another application's database/);
    // Left as it was: not turned to WAL, nothing of the server's beside it.
    const left = new Database(foreign);
    assert.equal(left.pragma('journal_mode', { simple: true }), 'delete');
    left.close();
    assert.equal(existsSync(`${foreign}-server`), false);
    const later = join(dir, 'later.db');
    const first = await startServer({ port: 0, dbPath: later, demo: true });
    await first.close();
    const edit = new Database(later);
    edit.prepare("UPDATE meta SET value = '99' WHERE key = 'schema_version'").run();
    // A later schema may have dropped what this one creates: nothing is created again.
    const indexes = () =>
      edit
        .prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
        .get() as {
        n: number;
      };
    const [dropped] = edit
      .prepare<[], { name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL",
      )
      .all();
    edit.exec(`DROP INDEX ${dropped!.name}`);
    const before = indexes().n;
    assert.match(await refusal(later), /^FG_DB: .*its schema is version 99; this server reads version 1\)$/);
    assert.equal(indexes().n, before);
    edit.close();
  });

  it('reports a port that is taken instead of hanging', async () => {
    const { startServer } = await import('../src/server.js');
    const first = await startServer({ port: 0, dbPath: join(dir, 'a.db'), demo: true });
    try {
      await assert.rejects(
        startServer({ port: first.port, dbPath: join(dir, 'b.db'), demo: true }),
        /EADDRINUSE/,
      );
    } finally {
      await first.close();
    }
  });
});
