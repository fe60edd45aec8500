import { formatCursor } from '@fg/protocol/frames';
import type { ErrorCode, Paths } from '@fg/protocol/frames';
import { endpointUrl } from '../auth/endpoint.js';
import { eventStreamParser } from './event-stream.js';
import {
  REQUEST_TIMEOUT_MS,
  bearer,
  describe,
  fetchWithTimeout,
  httpCloseReason,
  type CloseReason,
  type Transport,
  type TransportContext,
} from './types.js';

/** A stream that never ends a line must not grow memory without bound. */
const MAX_EVENT_CHARS = 1 << 20;

/**
 * Server-Sent Events read with `fetch`, because the native EventSource can send neither
 * an `Authorization` header nor our own `Last-Event-ID`, and a token in the URL would
 * end up in logs.
 */
export function connectSse(context: TransportContext): Transport {
  const { runtime } = context;
  const controller = new AbortController();
  let done = false;
  const finish = (reason: CloseReason | null) => {
    if (done) return;
    done = true;
    controller.abort();
    if (reason) context.closed(reason);
  };

  const run = async () => {
    const headers: Record<string, string> = {
      Authorization: bearer(context.token),
      Accept: 'text/event-stream',
    };
    const cursor = context.cursor();
    if (cursor) headers['Last-Event-ID'] = formatCursor(cursor);
    const response = await fetchWithTimeout(
      runtime,
      endpointUrl(context.base, '/api/stream' satisfies typeof Paths.stream),
      { headers },
      REQUEST_TIMEOUT_MS,
      controller,
    );
    if (!response.ok) return finish(httpCloseReason(response.status));
    if (!response.headers.get('content-type')?.startsWith('text/event-stream') || !response.body) {
      return finish({ kind: 'failed', detail: 'not an event stream' });
    }
    const feed = eventStreamParser((type, data) => {
      if (done) return;
      if (type === ('auth-expired' satisfies typeof ErrorCode.authExpired))
        finish({ kind: 'auth', detail: 'auth-expired' });
      else context.deliver(data);
    }, MAX_EVENT_CHARS);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done: ended } = await reader.read();
      if (done) return;
      if (ended) return finish({ kind: 'ended', detail: 'event stream ended' });
      if (!feed(value)) return finish({ kind: 'failed', detail: 'event stream line too long' });
    }
  };

  run().catch((error: unknown) => {
    finish({ kind: 'failed', detail: describe(error) });
  });

  return {
    rung: 'sse',
    close() {
      finish(null);
      return Promise.resolve();
    },
    livenessMs: (heartbeatMs) => heartbeatMs,
  };
}
