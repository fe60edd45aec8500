/**
 * The real reference server and the fault proxy in front of it, as started by
 * web-test-runner.config.mjs, and the demo routes tests drive them with.
 */
import type { Snapshot, SimulateRequest, SimulateResponse } from '@fg/protocol';

interface TestEnv {
  readonly serverUrl: string;
  readonly proxyUrl: string;
}

export const env = (globalThis as unknown as { __FG_ENV__: TestEnv }).__FG_ENV__;

async function post<T>(base: string, path: string, body: unknown): Promise<T> {
  const response = await fetch(new URL(path, base), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

export async function token(consultantId: string, ttlSeconds?: number): Promise<string> {
  const answer = await post<{ token: string }>(env.serverUrl, '/api/demo/token', {
    consultantId,
    ttlSeconds,
  });
  return answer.token;
}

type Action = SimulateRequest extends infer R ? (R extends { action: infer A } ? A : never) : never;

export function simulate(
  consultantId: string,
  action: Action,
  extra: Record<string, unknown> = {},
): Promise<SimulateResponse> {
  return post(env.serverUrl, '/api/demo/simulate', { consultantId, action, ...extra });
}

export function advanceServerClock(advanceMs: number): Promise<{ now: number }> {
  return post(env.serverUrl, '/api/demo/clock', { advanceMs });
}

export function resetLog(consultantId: string): Promise<{ epoch: string; seq: number }> {
  return post(env.serverUrl, '/api/demo/reset-log', { consultantId });
}

export async function serverSnapshot(consultantId: string): Promise<Snapshot> {
  const response = await fetch(new URL('/api/dashboard', env.serverUrl), {
    headers: { Authorization: `Bearer ${await token(consultantId)}` },
  });
  return (await response.json()) as Snapshot;
}

export interface FaultState {
  readonly modes: Record<'websocket' | 'stream' | 'changes', string>;
  readonly liveWebSockets: number;
  readonly maxLiveWebSockets: number;
  readonly webSocketsOpened: number;
  readonly sseOpened: number;
  readonly openStreams: string[];
  readonly affected: number;
}

export interface FaultCommand {
  /** pass | refuse (close the TCP connection at once) | accept-close (answer, then close at once) */
  readonly websocket?: string;
  readonly stream?: string;
  readonly changes?: string;
  readonly action?: 'inject' | 'stall' | 'cut';
  readonly kind?: 'websocket' | 'sse';
  readonly frame?: string;
  readonly reset?: boolean;
}

/** Drives the fault proxy (`env.proxyUrl`). */
export function fault(command: FaultCommand = {}): Promise<FaultState> {
  return post(location.origin, '/__fg/fault', command);
}

/** Stops, kills or starts the reference server process (same database, same port). */
export function serverProcess(action: 'stop' | 'kill' | 'start'): Promise<{ running: boolean }> {
  return post(location.origin, '/__fg/server', { action });
}

/** Waits (on real time, bounded) until `predicate` holds; for conditions reached by real I/O. */
export async function until(predicate: () => boolean, what = 'condition', timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
