/**
 * Measures simulate-to-receive latency of a booking on each transport: from just before
 * `POST /api/demo/simulate` is sent to the moment the client holds the event frame. A
 * measurement, not a test (it asserts nothing about timing).
 *
 *   node --conditions=fg-source --import tsx demo-server/test/measure-latency.ts [URL] [samples]
 *
 * Without a URL (or with an empty one) it starts the server (main.ts) itself on a random
 * port with a fresh database.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as pause } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { EventFrame, SnapshotFrame } from '@fg/protocol';
import { nextEvents, poll, SseClient, WsClient } from './helpers.js';

const CONSULTANT = 'c-story';
const samples = Number(process.argv[3] ?? 40);

async function startOwnServer(): Promise<{ url: string; stop(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'fg-latency-'));
  const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
  const child = spawn(process.execPath, ['--conditions=fg-source', '--import', 'tsx', main], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', FG_DB: join(dir, 'fg.db'), FG_DEMO: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /listening on (\S+)/.exec(line);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return {
    url,
    stop() {
      child.kill('SIGTERM');
      child.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    },
  };
}

async function json<T>(url: string, body: unknown): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

const book = (url: string) =>
  json<{ seq: number }>(`${url}/api/demo/simulate`, {
    consultantId: CONSULTANT,
    action: 'book',
    startsInSeconds: 86_400,
  });

/** One sample: ms from sending the booking to holding its event. */
async function sample(url: string, received: () => Promise<EventFrame>): Promise<number> {
  const waiting = received();
  const started = performance.now();
  const [answer, event] = await Promise.all([book(url), waiting]);
  const ms = performance.now() - started;
  if (event.seq !== answer.seq || event.kind !== 'consultation.booked')
    throw new Error('received another event');
  return ms;
}

function summary(name: string, values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return `${name.padEnd(10)} n=${String(values.length).padEnd(4)} median ${at(0.5).toFixed(2).padStart(6)} ms   p95 ${at(0.95).toFixed(2).padStart(6)} ms   max ${sorted.at(-1)!.toFixed(2).padStart(6)} ms`;
}

async function measure(url: string): Promise<void> {
  const server = { url };
  const { token } = await json<{ token: string }>(`${url}/api/demo/token`, { consultantId: CONSULTANT });
  const results: [string, number[]][] = [];

  const ws = await WsClient.connect(server, token);
  await ws.next();
  const wsTimes: number[] = [];
  for (let i = 0; i < samples; i++) {
    wsTimes.push(await sample(url, async () => (await nextEvents(ws, 1))[0]!));
    await pause(20);
  }
  await ws.close();
  results.push(['websocket', wsTimes]);

  const sse = await SseClient.connect(server, token);
  await sse.next();
  await sse.next();
  const sseTimes: number[] = [];
  for (let i = 0; i < samples; i++) {
    sseTimes.push(await sample(url, async () => (await nextEvents(sse, 1))[0]!));
    await pause(20);
  }
  sse.close();
  results.push(['sse', sseTimes]);

  let cursor = (await poll(server, token)).frames[0] as SnapshotFrame | EventFrame;
  const pollTimes: number[] = [];
  for (let i = 0; i < samples; i++) {
    // The request is sent and held first, as a long-polling client's always is.
    const held = poll(server, token, { epoch: cursor.epoch, since: cursor.seq, wait: 25 });
    await pause(20);
    pollTimes.push(
      await sample(url, async () => {
        const { frames } = await held;
        cursor = frames.at(-1) as EventFrame;
        return cursor;
      }),
    );
  }
  results.push(['long-poll', pollTimes]);

  console.log(`simulate-to-receive latency of a booking, ${url}`);
  for (const [name, values] of results) console.log(summary(name, values));
}

const given = process.argv[2] || undefined;
const own = given ? undefined : await startOwnServer();
try {
  await measure(given ?? own!.url);
} finally {
  own?.stop();
}
