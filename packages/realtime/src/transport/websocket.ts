import ReconnectingWebSocket from 'reconnecting-websocket';
import { CloseCode, Paths } from '@fg/protocol';
import type { HelloFrame, PingFrame } from '@fg/protocol';
import { endpointUrl } from '../auth/endpoint.js';
import type { CloseReason, Transport, TransportContext } from './types.js';

/** Backstop only: the ladder's own open timeout, on the injected clock, normally fires first. */
const SOCKET_CONNECT_TIMEOUT_MS = 10_000;
/** A socket that cannot finish its closing handshake (the network is gone) is abandoned after this. */
const CLOSE_WAIT_MS = 1_000;

/**
 * reconnecting-websocket, configured so that it never reconnects by itself: its retry
 * loop and ours would race, and two loops are how two live sockets happen. Each
 * connection is one single-use instance; the ladder owns retry, backoff and resume.
 */
const SINGLE_USE = {
  maxRetries: 0,
  minReconnectionDelay: 0,
  connectionTimeout: SOCKET_CONNECT_TIMEOUT_MS,
  // Nothing is ever queued: the hello is sent on open, pings only while open.
  maxEnqueuedMessages: 0,
};

export function connectWebSocket(context: TransportContext): Transport {
  const { runtime } = context;
  const url = endpointUrl(context.base, Paths.websocket, 'ws').href;
  // Knowing whether a socket was ever created tells `close()` whether there is anything to wait for.
  let created = false;
  const Base = runtime.WebSocket;
  class TrackedWebSocket extends Base {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      created = true;
    }
  }
  const socket = new ReconnectingWebSocket(url, undefined, { ...SINGLE_USE, WebSocket: TrackedWebSocket });
  let done = false;
  let resolveGone!: () => void;
  const gone = new Promise<void>((resolve) => (resolveGone = resolve));

  const finish = (reason: CloseReason | null) => {
    if (done) return;
    done = true;
    if (reason) context.closed(reason);
  };

  socket.addEventListener('open', () => {
    // The token travels in the first frame, never in the URL, where logs would keep it.
    const hello: HelloFrame = { type: 'hello', token: context.token, since: context.cursor() };
    socket.send(JSON.stringify(hello));
  });
  socket.addEventListener('message', (event) => {
    if (!done) context.deliver(event.data);
  });
  socket.addEventListener('close', (event) => {
    resolveGone();
    finish(closeReason(event.code, event.reason));
  });

  return {
    rung: 'websocket',
    close() {
      finish(null);
      socket.close(CloseCode.normal);
      if (!created) return Promise.resolve();
      // Wait for the socket to be gone, so the next one never overlaps it; but a dead
      // network cannot complete the handshake, and waiting forever would strand the client.
      return Promise.race([
        gone,
        new Promise<void>((resolve) => runtime.clock.setTimeout(resolve, CLOSE_WAIT_MS)),
      ]);
    },
    ping(id) {
      if (socket.readyState !== socket.OPEN) return false;
      const ping: PingFrame = { type: 'ping', id };
      socket.send(JSON.stringify(ping));
      return true;
    },
    livenessMs: (heartbeatMs) => heartbeatMs,
  };
}

function closeReason(code: number, reason: string): CloseReason {
  const detail = `WebSocket closed ${code}${reason ? ` (${reason})` : ''}`;
  switch (code) {
    case CloseCode.unauthenticated:
      return { kind: 'auth', detail };
    case CloseCode.forbidden:
      return { kind: 'forbidden', detail };
    case CloseCode.rateLimited:
    case CloseCode.overloaded:
      return { kind: 'throttled', detail };
    case CloseCode.normal:
    case CloseCode.goingAway:
      return { kind: 'ended', detail };
    default:
      return { kind: 'failed', detail };
  }
}
