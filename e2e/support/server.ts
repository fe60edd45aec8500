import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface ServerProcess {
  readonly url: string;
  readonly port: number;
  readonly dbPath: string;
  /** Stops the process (SIGTERM, then SIGKILL) and removes its database unless `keepDb`. */
  stop(options?: { keepDb?: boolean; signal?: NodeJS.Signals }): Promise<void>;
}

const LISTENING = /listening on (https?:\/\/[^\s]+)/;

/**
 * The built reference server in its own process, on a random loopback port, with a fresh
 * SQLite file and a manual clock (tests move time through `POST /api/demo/clock`).
 */
export async function startServerProcess(
  options: { dbPath?: string; port?: number; env?: Record<string, string> } = {},
): Promise<ServerProcess> {
  const dir = options.dbPath ? null : mkdtempSync(join(tmpdir(), 'fg-e2e-'));
  const dbPath = options.dbPath ?? join(dir!, 'fg.db');
  const child = spawn(process.execPath, ['demo-server/dist/main.js'], {
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(options.port ?? 0),
      FG_DB: dbPath,
      FG_DEMO: '1',
      FG_CLOCK: 'manual',
      FG_JWT_SECRET: 'e2e-secret-e2e-secret-e2e-secret-0123',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const match = LISTENING.exec(line);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) =>
      reject(new Error(`server exited with ${code} before listening:\n${stderr}`)),
    );
  });
  return {
    url,
    port: Number(new URL(url).port),
    dbPath,
    stop: (stopOptions = {}) =>
      stop(child, stopOptions.signal ?? 'SIGTERM').then(() => {
        if (dir && !stopOptions.keepDb) rmSync(dir, { recursive: true, force: true });
      }),
  };
}

function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill(signal);
  });
}
