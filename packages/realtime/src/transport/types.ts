import type { Cursor } from '@fg/protocol/frames';
import type { Runtime } from '../runtime.js';

/** The rungs of the ladder, highest first. `polling` in the options enables the last two. */
export type Rung = 'websocket' | 'sse' | 'longpoll' | 'interval';

/**
 * Why a transport ended. `auth` (the token refused: missing, expired, or forbidden) asks
 * the client for a fresh token; `throttled` (rate limited, overloaded) backs off without
 * blaming the transport; `ended` (the server ended an open connection itself) and
 * `failed` (anything else, a refused connection included) are ordinary drops.
 */
export type CloseKind = 'auth' | 'throttled' | 'failed' | 'ended';

export interface CloseReason {
  readonly kind: CloseKind;
  readonly detail: string;
  /** The answer's `Retry-After` header, when an HTTP answer ended it. */
  readonly retryAfter?: string | null;
}

export interface TransportContext {
  readonly base: URL;
  readonly token: string;
  readonly runtime: Runtime;
  /** Read at each (re)request, so a poll always asks from what is applied now. */
  readonly cursor: () => Cursor | null;
  /** One frame as received: text, or a decoded JSON value from a polling response. */
  readonly deliver: (raw: unknown) => void;
  /** Called at most once, after which the transport is inert; `retryAfter`: the answer's `Retry-After` header. */
  readonly closed: (kind: CloseKind, detail: string, retryAfter?: string | null) => void;
}

export interface Transport {
  /** Stops it; `closed` is not called for a close the client asked for. Resolves once the connection is gone. */
  close(): Promise<void> | void;
  /** Sends a ping whose pong the client routes back with `pong(id)`; false where the transport cannot ping. */
  ping?(id: string): boolean;
  /** How long silence is normal on this transport, given the server's heartbeat interval (default: that interval). */
  livenessMs?(heartbeatMs: number): number;
}

export type TransportFactory = (context: TransportContext) => Transport;

/** The message of anything thrown. */
export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Request timeout for anything that is not a long-poll hold. */
export const REQUEST_TIMEOUT_MS = 10_000;

/**
 * What an HTTP status of a failed request, or a WebSocket close code, says about the
 * connection (the two sets of numbers do not overlap). Anything else is `failed`.
 */
const CLOSE_KINDS: Readonly<Record<number, CloseKind>> = {
  401: 'auth',
  4401: 'auth',
  4403: 'auth',
  429: 'throttled',
  4429: 'throttled',
  503: 'throttled',
  1013: 'throttled',
  1000: 'ended',
  1001: 'ended',
};

export const closeKind = (code: number): CloseKind => CLOSE_KINDS[code] ?? 'failed';

/**
 * `fetch` with the session's bearer token, whose response head must arrive within
 * `timeoutMs` on the injected clock, or the request is aborted through `controller`
 * (which also stops a streamed body later).
 */
export async function authorizedFetch(
  runtime: Runtime,
  url: URL,
  token: string,
  timeoutMs: number,
  init: { method?: string; headers?: Record<string, string> },
  controller = new AbortController(),
): Promise<Response> {
  const timer = runtime.clock.setTimeout(() => controller.abort(), timeoutMs);
  try {
    return await runtime.fetch(url, {
      ...init,
      headers: { ...init.headers, Authorization: `Bearer ${token}` },
      signal: controller.signal,
      cache: 'no-store',
    });
  } finally {
    runtime.clock.clearTimeout(timer);
  }
}
