import type { Limits, Paths } from '@fg/protocol/frames';
import { endpointUrl } from '../auth/endpoint.js';
import type { Clock } from '../runtime.js';
import {
  REQUEST_TIMEOUT_MS,
  bearer,
  describe,
  fetchWithTimeout,
  httpCloseReason,
  type CloseReason,
  type Rung,
  type Transport,
  type TransportContext,
} from './types.js';

/** How long the server may hold a long-poll, in seconds (under its own cap). */
export const LONG_POLL_WAIT_SECONDS = 25;

interface PollingPlan {
  readonly rung: Extract<Rung, 'longpoll' | 'interval'>;
  /** Seconds the server may hold each request. */
  readonly waitSeconds: number;
  /** Pause between requests. */
  readonly intervalMs: number;
}

/**
 * Long-polling: `GET /api/changes` held by the server until something happens. The first
 * request asks for an answer at once, so a working rung proves itself within the ladder's
 * open timeout instead of after a full hold.
 */
export function connectLongPoll(context: TransportContext): Transport {
  return poll(context, { rung: 'longpoll', waitSeconds: LONG_POLL_WAIT_SECONDS, intervalMs: 0 });
}

/** The last rung: one plain request every `Limits.pollIntervalMs`, for networks that cut held requests. */
export function connectIntervalPoll(context: TransportContext): Transport {
  return poll(context, {
    rung: 'interval',
    waitSeconds: 0,
    intervalMs: 30_000 satisfies typeof Limits.pollIntervalMs,
  });
}

function poll(context: TransportContext, plan: PollingPlan): Transport {
  const { runtime } = context;
  const clock: Clock = runtime.clock;
  const controller = new AbortController();
  let done = false;
  let timer: unknown = null;
  let first = true;

  const finish = (reason: CloseReason | null) => {
    if (done) return;
    done = true;
    controller.abort();
    if (timer !== null) clock.clearTimeout(timer);
    if (reason) context.closed(reason);
  };

  const request = async () => {
    timer = null;
    const wait = first ? 0 : plan.waitSeconds;
    first = false;
    const url = endpointUrl(context.base, '/api/changes' satisfies typeof Paths.changes);
    const cursor = context.cursor();
    if (cursor) {
      url.searchParams.set('epoch', cursor.epoch);
      url.searchParams.set('since', String(cursor.seq));
    }
    url.searchParams.set('wait', String(wait));
    const response = await fetchWithTimeout(
      runtime,
      url,
      { headers: { Authorization: bearer(context.token), Accept: 'application/json' } },
      wait * 1000 + REQUEST_TIMEOUT_MS,
      controller,
    );
    if (done) return;
    if (!response.ok) return finish(httpCloseReason(response.status));
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      // Undecodable JSON is one bad frame, reported as such; the next request asks again.
      body = null;
    }
    if (done) return;
    const frames = (body as { frames?: unknown } | null)?.frames;
    if (Array.isArray(frames)) {
      for (const frame of frames) {
        if (done) return;
        context.deliver(frame);
      }
    } else {
      context.deliver(body === null ? '' : body);
    }
    if (done) return;
    if (plan.intervalMs > 0) timer = clock.setTimeout(loop, plan.intervalMs);
    else queueMicrotask(loop);
  };

  const loop = () => {
    request().catch((error: unknown) => {
      finish({ kind: 'failed', detail: describe(error) });
    });
  };
  loop();

  return {
    rung: plan.rung,
    close() {
      finish(null);
      return Promise.resolve();
    },
    livenessMs: (heartbeatMs) =>
      Math.max(heartbeatMs, plan.waitSeconds * 1000, plan.intervalMs) + REQUEST_TIMEOUT_MS,
  };
}
