import { formatCursor } from '@fg/protocol/frames';
import type { ErrorCode, Limits, Paths } from '@fg/protocol/frames';
import { endpointUrl } from '../auth/endpoint.js';
import type { TimerHandle } from '../runtime.js';
import { eventStreamParser } from './event-stream.js';
import {
  REQUEST_TIMEOUT_MS,
  authorizedFetch,
  closeKind,
  describe,
  type CloseKind,
  type Rung,
  type Transport,
  type TransportContext,
} from './types.js';

/** How long the server may hold a long-poll, in seconds (under its own cap). */
export const LONG_POLL_WAIT_SECONDS = 25;

/**
 * A held poll cut after less than twice this (seconds) ends the transport: that is a refusal,
 * or a cut too soon for a hold worth the requests it costs. The ladder then counts the cut.
 */
const MIN_HOLD_SECONDS = 5;

/** A stream that never ends a line must not grow memory without bound. */
const MAX_EVENT_CHARS = 1 << 20;

/**
 * Server-Sent Events read with `fetch`, because the native EventSource can send neither
 * an `Authorization` header nor our own `Last-Event-ID`, and a token in the URL would
 * end up in logs.
 */
export const connectSse = (context: TransportContext): Transport => http(context, 'sse', 0, 0);

/**
 * Long-polling: `GET /api/changes` held by the server until something happens. The first
 * request asks for an answer at once, so a working rung proves itself within the ladder's
 * open timeout instead of after a full hold.
 */
export const connectLongPoll = (context: TransportContext): Transport =>
  http(context, 'longpoll', LONG_POLL_WAIT_SECONDS, 0);

/** The last rung: one plain request every `Limits.pollIntervalMs`, for networks that cut held requests. */
export const connectIntervalPoll = (context: TransportContext): Transport =>
  http(context, 'interval', 0, 30_000 satisfies typeof Limits.pollIntervalMs);

/**
 * The three HTTP rungs share one request path: the bearer token, the cursor, the timeout,
 * one abort, and one way to end. SSE reads one long response; polling repeats requests,
 * each held by the server up to `waitSeconds`, `intervalMs` apart.
 */
function http(context: TransportContext, rung: Rung, waitSeconds: number, intervalMs: number): Transport {
  const { runtime } = context;
  const { clock } = runtime;
  const controller = new AbortController();
  const sse = rung === 'sse';
  let done = false;
  let timer: TimerHandle = null;
  /** The first poll asks for an answer at once; the next ones are held `hold` seconds. */
  let wait = 0;
  let hold = waitSeconds;
  /** When the request in flight was sent. */
  let sent = 0;

  /** Ends the transport; given a `kind` (and its `detail`), tells the ladder why. */
  const finish = (kind?: CloseKind, detail?: string, retryAfter?: string | null) => {
    if (done) return;
    done = true;
    controller.abort();
    clock.clearTimeout(timer);
    if (kind) context.closed(kind, detail!, retryAfter);
  };
  const deliver = (raw: unknown) => {
    if (!done) context.deliver(raw);
  };

  const request = async (): Promise<void> => {
    const cursor = context.cursor();
    const type = sse ? 'text/event-stream' : 'application/json';
    // Epochs are `[\w-]` and seqs integers: nothing in the query needs escaping.
    const url = endpointUrl(
      context.base,
      sse
        ? ('/api/stream' satisfies typeof Paths.stream)
        : `${'/api/changes' satisfies typeof Paths.changes}?wait=${wait}${cursor ? `&epoch=${cursor.epoch}&since=${cursor.seq}` : ''}`,
    );
    const headers: Record<string, string> = { Accept: type };
    if (sse && cursor) headers['Last-Event-ID'] = formatCursor(cursor);
    sent = clock.now();
    const response = await authorizedFetch(
      runtime,
      url,
      context.token,
      wait * 1000 + REQUEST_TIMEOUT_MS,
      { headers },
      controller,
    );
    if (done) return;
    if (!response.ok) {
      const { status } = response;
      // A 403 refuses the consultant only in the protocol's words; a proxy's 403 blocks the transport.
      const refused =
        status === 403 &&
        ((await response.json().catch(() => null)) as { error?: unknown } | null)?.error ===
          ('forbidden' satisfies typeof ErrorCode.forbidden);
      return failed(
        refused ? 'auth' : closeKind(status),
        `HTTP ${status}`,
        response.headers.get('retry-after'),
      );
    }
    wait = hold;
    if (sse) {
      if (!response.headers.get('content-type')?.startsWith(type) || !response.body) {
        return finish('failed', 'not an event stream');
      }
      const feed = eventStreamParser((type, data) => {
        if (type === ('auth-expired' satisfies typeof ErrorCode.authExpired)) finish('auth', type);
        else deliver(data);
      }, MAX_EVENT_CHARS);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done: ended } = await reader.read();
        if (done) return;
        if (ended) return finish('ended', 'event stream ended');
        if (!feed(value)) return finish('failed', 'event stream line too long');
      }
    }
    // Undecodable JSON is one bad frame, reported as such; the next request asks again.
    const body: unknown = await response.json().catch(() => null);
    const frames = (body as { frames?: unknown } | null)?.frames;
    // An answer with no frame is bad too: asking again at once would ask in a tight loop.
    if (Array.isArray(frames) && frames.length) frames.forEach(deliver);
    else deliver(body ?? '');
    if (done) return;
    if (intervalMs) timer = clock.setTimeout(loop, intervalMs);
    else queueMicrotask(loop);
  };

  /**
   * A held poll that is cut (a proxy that ends requests after 20 s, say, with an error or a
   * 504 instead of the answer) lost nothing: the next request asks from the same cursor. It
   * is asked again at once, and held from then on half as long as the cut one lasted.
   */
  const failed = (kind: CloseKind, detail: string, retryAfter?: string | null) => {
    const half = Math.floor((clock.now() - sent) / 2000);
    if (!done && wait && kind === 'failed' && !retryAfter && half >= MIN_HOLD_SECONDS) {
      wait = hold = Math.min(hold, half);
      loop();
    } else finish(kind, detail, retryAfter);
  };

  const loop = () => {
    request().catch((error: unknown) => failed('failed', describe(error)));
  };
  loop();

  return {
    close: () => finish(),
    livenessMs: (heartbeatMs) =>
      sse ? heartbeatMs : Math.max(heartbeatMs, waitSeconds * 1000, intervalMs) + REQUEST_TIMEOUT_MS,
  };
}
