/** The real reference server started by web-test-runner.config.mjs, and its demo routes. */
import type { SimulateRequest, SimulateResponse, TokenResponse } from '@fg/protocol';

/** The server's base URL, or null when the tests run without one. */
export const serverUrl: string | null =
  (globalThis as { __FG_ENV__?: { serverUrl: string | null } }).__FG_ENV__?.serverUrl ?? null;

async function post<T>(path: string, body: unknown): Promise<T> {
  const response = await fetch(new URL(path, serverUrl!), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

export async function demoToken(consultantId: string, ttlSeconds?: number): Promise<string> {
  return (await post<TokenResponse>('/api/demo/token', { consultantId, ttlSeconds })).token;
}

export function simulate(request: SimulateRequest): Promise<SimulateResponse> {
  return post('/api/demo/simulate', request);
}

/** Waits, on real time and bounded, for something real I/O brings about. */
export async function until(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
