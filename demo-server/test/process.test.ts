// main.ts as a process: the one line it prints, the real port, and a clean stop on SIGTERM.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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
