import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { SignJWT } from 'jose';

export const BENCH_SECRET = 'bench-secret-bench-secret-bench-secret-42';

export interface Percentiles {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export function percentiles(samples: readonly number[]): Percentiles {
  if (samples.length === 0) return { count: 0, p50: NaN, p95: NaN, p99: NaN, max: NaN, mean: NaN };
  const sorted = Float64Array.from(samples).sort();
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
  let sum = 0;
  for (const x of sorted) sum += x;
  return {
    count: sorted.length,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    max: sorted[sorted.length - 1]!,
    mean: sum / sorted.length,
  };
}

/** A load reached at least this share of the rate it asked for, or a bar that rests on the rate is missed. */
export const RATE_SHARE = 0.95;

/** Whether a load reached `RATE_SHARE` of its rate; `null` when the run did not record the rate reached. */
export function rateReached(achieved: number | undefined, asked: number): boolean | null {
  return achieved === undefined ? null : achieved >= RATE_SHARE * asked;
}

/** A complete event of a Chromium trace (`ph: 'X'`), as far as the bench reads them. */
export interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
}

/**
 * The main-thread tasks of one thread that contain the anchor events (marks, animation
 * frames), each task once, in time order.
 */
export function tasksContaining(
  events: readonly TraceEvent[],
  thread: { pid: number; tid: number },
  anchors: readonly TraceEvent[],
): TraceEvent[] {
  const tasks = events
    .filter(
      (e) =>
        e.pid === thread.pid &&
        e.tid === thread.tid &&
        e.ph === 'X' &&
        e.name === 'ThreadControllerImpl::RunTask',
    )
    .sort((a, b) => a.ts - b.ts);
  const found: TraceEvent[] = [];
  let i = 0;
  for (const anchor of [...anchors].sort((a, b) => a.ts - b.ts)) {
    while (i < tasks.length && tasks[i]!.ts + tasks[i]!.dur! < anchor.ts) i++;
    const task = tasks[i];
    if (!task || task.ts > anchor.ts || task === found[found.length - 1]) continue;
    found.push(task);
  }
  return found;
}

/** Wall and CPU time (ms) of a task of a trace. */
export const taskWall = (task: TraceEvent): number => task.dur! / 1000;
export const taskCpu = (task: TraceEvent): number => (task.tdur ?? task.dur!) / 1000;

/**
 * The main-thread tasks of one thread that contain the anchor events (marks, animation
 * frames), each task once, in time order: wall and CPU time in ms.
 */
export function tasksAround(
  events: readonly TraceEvent[],
  thread: { pid: number; tid: number },
  anchors: readonly TraceEvent[],
): { wall: number[]; cpu: number[] } {
  const tasks = tasksContaining(events, thread, anchors);
  return { wall: tasks.map(taskWall), cpu: tasks.map(taskCpu) };
}

/** Buckets for a latency histogram (ms, upper bounds). */
export const HISTOGRAM_BOUNDS = [1, 2, 5, 10, 20, 50, 100, 250, 500, 1000, 2500, 5000, Infinity];

/** Buckets for the time one frame takes (ms, upper bounds): half milliseconds around the 4 ms bar. */
export const FRAME_BOUNDS = [1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 8, 10, 16, Infinity];

/** How many samples fall in each bucket of `bounds` (ascending upper bounds, the last one `Infinity`). */
export function histogram(
  samples: readonly number[],
  bounds: readonly number[] = HISTOGRAM_BOUNDS,
): number[] {
  const counts = bounds.map(() => 0);
  for (const x of samples) counts[bounds.findIndex((b) => x <= b)]!++;
  return counts;
}

export interface BenchServer {
  url: string;
  pid: number;
  /** Every server process, when there are several (nodes of a cluster); default `[pid]`. */
  pids?: number[];
  /** Processes the server needs beside its own (a database server, a load balancer), measured apart. */
  supportPids?: () => number[];
  dbPath: string;
  child: ChildProcess;
  stop(options?: { keepDb?: boolean }): Promise<void>;
}

/** The built reference server in its own process, on a random loopback port. */
export async function startBenchServer(
  env: Record<string, string> = {},
  dbPath?: string,
): Promise<BenchServer> {
  const dir = dbPath ? null : mkdtempSync(join(tmpdir(), 'fg-bench-'));
  const db = dbPath ?? join(dir!, 'fg.db');
  // FG_BENCH_SERVER runs another build of the server (a branch, a storage backend) under the same load.
  const main = process.env.FG_BENCH_SERVER ?? 'demo-server/dist/main.js';
  const child = spawn(
    process.execPath,
    [...(process.env.FG_BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []), main],
    {
      env: {
        ...process.env,
        HOST: '127.0.0.1',
        PORT: env.PORT ?? '0',
        FG_DB: db,
        FG_DEMO: '1',
        FG_JWT_SECRET: BENCH_SECRET,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  // Whatever happens to the bench, its servers go with it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /listening on (https?:\/\/\S+)/.exec(line);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return {
    url,
    pid: child.pid!,
    dbPath: db,
    child,
    stop: async ({ keepDb = false } = {}) => {
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise<void>((resolve) => {
          const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          child.once('exit', () => {
            clearTimeout(killer);
            resolve();
          });
          child.kill('SIGTERM');
        });
      }
      if (dir && !keepDb) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function mintToken(consultantId: string, ttlSeconds = 3600): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(consultantId)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(new TextEncoder().encode(BENCH_SECRET));
}

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** CPU seconds (user + system) and resident memory of a process, from /proc. */
export function processUsage(pid: number): { cpuSeconds: number; rssBytes: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return { cpuSeconds, rssBytes: rssKb * 1024 };
}

/** The share of all cores' time spent busy over `ms` (from `os.cpus()`, any platform). */
async function busyShare(ms: number): Promise<number> {
  const sample = () =>
    cpus().reduce(
      (sum, { times }) => {
        const total = times.user + times.nice + times.sys + times.idle + times.irq;
        return { idle: sum.idle + times.idle, total: sum.total + total };
      },
      { idle: 0, total: 0 },
    );
  const before = sample();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = sample();
  const total = after.total - before.total;
  return total > 0 ? 1 - (after.idle - before.idle) / total : 0;
}

/**
 * Waits until the machine is quiet (under `threshold` of all cores busy over a second), at most
 * `maxMs`: what one phase leaves running as it ends (a database flushing, sockets closing, a
 * collection) must not fall on the next phase's measurements. Resolves with how long it waited
 * and how busy the machine was when the phase began.
 */
export async function settle(threshold = 0.2, maxMs = 30_000): Promise<{ waitedMs: number; busy: number }> {
  const started = performance.now();
  for (;;) {
    const busy = await busyShare(1000);
    const waitedMs = performance.now() - started;
    if (busy < threshold || waitedMs >= maxMs) return { waitedMs, busy };
  }
}
