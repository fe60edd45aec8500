import type { CloseCode, Paths } from '@fg/protocol/frames';
import type { HelloFrame, PingFrame } from '@fg/protocol/frames';
import { endpointUrl } from '../auth/endpoint.js';
import { closeKind, type Transport, type TransportContext } from './types.js';

/** A socket that cannot finish its closing handshake (the network is gone) is abandoned after this. */
const CLOSE_WAIT_MS = 1_000;

/**
 * One single-use socket per connection. The ladder owns everything a reconnecting socket
 * would do (retry, full-jitter backoff, open timeout, resume from the cursor), and it opens
 * the next socket only once this one is gone, so two live sockets cannot happen.
 */
export function connectWebSocket(context: TransportContext): Transport {
  const { runtime } = context;
  let done = false;
  let socket: WebSocket;
  try {
    // The endpoint is http(s), so its socket is ws(s).
    socket = new runtime.WebSocket(
      endpointUrl(context.base, '/api/ws' satisfies typeof Paths.websocket).href.replace('http', 'ws'),
    );
  } catch (error) {
    // A URL the browser refuses (or a page's Content Security Policy) fails like a refused connection.
    queueMicrotask(() => done || context.closed('failed', String(error)));
    return {
      close() {
        done = true;
      },
    };
  }
  const gone = new Promise<void>((resolve) => socket.addEventListener('close', () => resolve()));
  const send = (frame: HelloFrame | PingFrame) => socket.send(JSON.stringify(frame));

  // The token travels in the first frame, never in the URL, where logs would keep it.
  socket.addEventListener('open', () =>
    send({ type: 'hello', token: context.token, since: context.cursor() }),
  );
  socket.addEventListener('message', (event) => {
    if (!done) context.deliver(event.data);
  });
  socket.addEventListener('close', ({ code, reason }) => {
    if (done) return;
    done = true;
    context.closed(closeKind(code), `WebSocket closed ${code}${reason ? ` (${reason})` : ''}`);
  });

  return {
    close() {
      done = true;
      socket.close(1000 satisfies typeof CloseCode.normal);
      // Wait for the socket to be gone, so the next one never overlaps it; but a dead
      // network cannot complete the handshake, and waiting forever would strand the client.
      return Promise.race([
        gone,
        new Promise<void>((resolve) => runtime.clock.setTimeout(resolve, CLOSE_WAIT_MS)),
      ]);
    },
    ping(id) {
      if (socket.readyState !== 1) return false; // OPEN
      send({ type: 'ping', id });
      return true;
    },
  };
}
