import type { Cursor } from '@fg/protocol/frames';
import type { Runtime } from '../runtime.js';

/** The rungs of the ladder, highest first. `polling` in the options enables the last two. */
export type Rung = 'websocket' | 'sse' | 'longpoll' | 'interval';

/**
 * Why a transport ended. `auth` asks the client for a fresh token; `throttled` (rate
 * limited, overloaded) backs off without blaming the transport; `failed` and `ended` are
 * ordinary drops.
 */
export type CloseReason =
  | { readonly kind: 'auth'; readonly detail: string }
  | { readonly kind: 'throttled'; readonly detail: string }
  | { readonly kind: 'forbidden'; readonly detail: string }
  | { readonly kind: 'failed'; readonly detail: string }
  | { readonly kind: 'ended'; readonly detail: string };

export interface TransportContext {
  readonly base: URL;
  readonly token: string;
  readonly runtime: Runtime;
  /** Read at each (re)request, so a poll always asks from what is applied now. */
  readonly cursor: () => Cursor | null;
  /** One frame as received: text, or a decoded JSON value from a polling response. */
  readonly deliver: (raw: unknown) => void;
  /** Called at most once, after which the transport is inert. */
  readonly closed: (reason: CloseReason) => void;
}

export interface Transport {
  readonly rung: Rung;
  /** Stops it; `closed` is not called for a close the client asked for. Resolves once the connection is gone. */
  close(): Promise<void>;
  /** Sends a ping whose pong the client routes back with `pong(id)`; false where the transport cannot ping. */
  ping?(id: string): boolean;
  /** How long silence is normal on this transport, given the server's heartbeat interval. */
  livenessMs(heartbeatMs: number): number;
}

export type TransportFactory = (context: TransportContext) => Transport;

/** The message of anything thrown. */
export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Request timeout for anything that is not a long-poll hold. */
export const REQUEST_TIMEOUT_MS = 10_000;

export function bearer(token: string): string {
  return `Bearer ${token}`;
}

/** Maps an HTTP status of a failed request to why it failed. */
export function httpCloseReason(status: number): CloseReason {
  const detail = `HTTP ${status}`;
  if (status === 401) return { kind: 'auth', detail };
  if (status === 403) return { kind: 'forbidden', detail };
  if (status === 429 || status === 503) return { kind: 'throttled', detail };
  return { kind: 'failed', detail };
}

/**
 * `fetch` whose response head must arrive within `timeoutMs` on the injected clock, or the
 * request is aborted through `controller` (which also stops a streamed body later).
 */
export async function fetchWithTimeout(
  runtime: Runtime,
  url: URL,
  init: RequestInit,
  timeoutMs: number,
  controller: AbortController,
): Promise<Response> {
  const timer = runtime.clock.setTimeout(() => controller.abort(), timeoutMs);
  try {
    return await runtime.fetch(url, { ...init, signal: controller.signal, cache: 'no-store' });
  } finally {
    runtime.clock.clearTimeout(timer);
  }
}
