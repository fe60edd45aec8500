/**
 * WebSocket upgrades, taken straight from the HTTP server to `ws`. The HTTP app would build a
 * fetch `Request` for each and run it through middleware that has nothing to do with an
 * upgrade (CORS, body limits); in a reconnect storm that was a fifth of the server's work per
 * connection. What the app checks for every API request is checked here too: the path and
 * the page's origin. The token comes later, in the hello frame.
 */
import type { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import { Paths } from '@fg/protocol';
import type { OriginPolicy } from '../http/origin.js';
import { WebSocketConnection, type WebSocketDeps } from './websocket.js';

/** Answers an upgrade it will not make with a bare HTTP status, and closes. */
function refuse(socket: Duplex, status: 400 | 403 | 404 | 503, text: string): void {
  if (socket.destroyed) return;
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export function acceptWebSockets(
  /** The HTTP(S) server. */
  server: EventEmitter,
  wss: WebSocketServer,
  origins: OriginPolicy,
  deps: WebSocketDeps,
): void {
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // A peer gone mid-handshake is no error of ours.
    socket.on('error', () => undefined);
    if (request.headers.upgrade?.toLowerCase() !== 'websocket') return refuse(socket, 400, 'Bad Request');
    const scheme = 'encrypted' in socket && socket.encrypted ? 'https' : 'http';
    const url = `${scheme}://${request.headers.host ?? 'localhost'}${request.url ?? '/'}`;
    let path: string;
    try {
      path = new URL(url).pathname;
    } catch {
      return refuse(socket, 400, 'Bad Request');
    }
    if (path !== Paths.websocket) return refuse(socket, 404, 'Not Found');
    // Pages on other origins (or host names) are refused before anything else, as for every API request.
    if (!origins.hostAllowed(request.headers.host) || !origins.allows(request.headers.origin, url))
      return refuse(socket, 403, 'Forbidden');
    // Sockets that have not said who they are cost memory and descriptors: a bounded number.
    const { awaitingHello } = deps;
    if (awaitingHello.count >= awaitingHello.max) return refuse(socket, 503, 'Service Unavailable');
    wss.handleUpgrade(request, socket, head, (ws) => {
      const connection = new WebSocketConnection(ws, deps);
      // Binary frames reach the connection as such, which refuses them.
      ws.on('message', (data, isBinary) => connection.receive(isBinary ? data : data.toString()));
      ws.on('close', () => connection.closed());
      // `ws` reports a broken frame with an error, then a close: the close is what counts.
      ws.on('error', () => undefined);
    });
  });
  server.on('close', () => wss.close());
}
