/**
 * Server nodes as real processes (`main.ts` from source, like `npm start` runs the build),
 * each on its own loopback port, all on one PostgreSQL database. A node can be stopped
 * cleanly or killed outright (SIGKILL), as a crashed machine would be.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const PUBLIC = fileURLToPath(new URL('../../src/public/app.ts', import.meta.url));

export const NODE_SECRET = 'multinode-secret-multinode-secret-0123456789';

export interface ServerNode {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Everything the process printed, for failure messages. */
  readonly output: string[];
  alive(): boolean;
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export async function startNode(name: string, env: Record<string, string>): Promise<ServerNode> {
  const child = spawn(process.execPath, ['--conditions=fg-source', '--import', 'tsx', MAIN], {
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: '0',
      NODE_ENV: '',
      FG_DEMO: '1',
      FG_JWT_SECRET: NODE_SECRET,
      FG_NODE_NAME: name,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const output: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => running.delete(child));
  createInterface({ input: child.stderr! }).on('line', (line) => output.push(`${name} ! ${line}`));
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(`${name}: ${line}`);
      const match = /listening on (http:\/\/\S+)$/.exec(line);
      if (match) resolve(match[1]!);
    });
    void exited.then(() => reject(new Error(`node ${name} exited before listening:\n${output.join('\n')}`)));
    setTimeout(
      () => reject(new Error(`node ${name} did not listen in time:\n${output.join('\n')}`)),
      30_000,
    ).unref();
  });
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  return {
    name,
    url,
    port: Number(new URL(url).port),
    pid: child.pid!,
    output,
    alive,
    exited,
    async kill(signal = 'SIGTERM') {
      if (!alive()) return;
      child.kill(signal);
      const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(force);
    },
  };
}

/** Builds the demo page's bundle into a temporary folder (the nodes serve it at /assets). */
export async function buildDemoAssets(): Promise<{ dir: string; remove(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'fg-assets-'));
  await build({
    entryPoints: [PUBLIC],
    outdir: dir,
    bundle: true,
    format: 'esm',
    target: 'es2022',
    conditions: ['fg-source'],
    tsconfigRaw: { compilerOptions: { experimentalDecorators: true, useDefineForClassFields: false } },
    logLevel: 'error',
  });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The number of WebSocket connections a node holds, from its /metrics. */
export async function webSocketsOn(node: ServerNode): Promise<number> {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  return Number(/^fg_connections\{transport="websocket"\} (\d+)$/m.exec(text)?.[1] ?? NaN);
}

/** Whether the node runs the scheduler, from its /metrics. */
export async function leads(node: ServerNode): Promise<boolean> {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  return /^fg_scheduler_leader 1$/m.test(text);
}
