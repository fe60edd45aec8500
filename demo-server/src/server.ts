/**
 * `startServer`: the reference server, wired and listening. Used by `main.ts` and by the
 * tests, which start it on port 0 with a temporary database and a manual clock.
 */
import { createAdaptorServer, upgradeWebSocket, type ServerType } from '@hono/node-server';
import { randomBytes } from 'node:crypto';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { Limits } from '@fg/protocol';
import { Auth } from './auth.js';
import { SystemClock, type Clock } from './clock.js';
import { EventLog, type LogHead, type Retention } from './db/eventlog.js';
import { Store } from './db/store.js';
import { Domain } from './domain.js';
import { Feed } from './feed.js';
import { createApp } from './http/app.js';
import { OriginPolicy } from './http/origin.js';
import { Hub } from './hub.js';
import { Metrics } from './metrics.js';
import { Projection } from './projection.js';
import { Scheduler } from './scheduler.js';
import { seed as seedDemoData, seedLoadConsultants } from './seed.js';

export interface StartOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8787; 0 picks a free port. */
  port?: number;
  dbPath: string;
  /** Demo routes (`/api/demo/*`); 404 when off. */
  demo?: boolean;
  /** HS256 secret; required unless `demo` (then a random one is made). */
  jwtSecret?: string;
  heartbeatMs?: number;
  helloTimeoutMs?: number;
  /** Domain time; default the system clock. */
  clock?: Clock;
  /** Origins allowed besides the server's own; `*` for all. */
  allowedOrigins?: string[];
  retention?: Retention;
  /** PEM texts; when given the server speaks HTTPS and WSS. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Seed the demo consultants on first start (default true). */
  seed?: boolean;
  /** Also seed `c-load-0` .. `c-load-{n-1}`, empty dashboards for load tests. */
  loadConsultants?: number;
  busyTimeoutMs?: number;
  /** Bytes queued on a WebSocket beyond which the client is closed with 1013. */
  maxBufferedBytes?: number;
  /** Folder served at `/assets/*`; default `demo-server/dist/public` (the built demo bundle). */
  assetsDir?: string;
}

export interface RunningServer {
  url: string;
  port: number;
  clock: Clock;
  store: Store;
  domain: Domain;
  hub: Hub;
  metrics: Metrics;
  auth: Auth;
  /** Starts a new event log (new epoch) for a consultant; connected clients get a snapshot. */
  resetLog(consultantId: string): LogHead;
  /** Closes connections (WebSockets with 1001), stops timers and closes the database. */
  close(): Promise<void>;
}

const urlHost = (host: string): string => (host.includes(':') ? `[${host}]` : host);

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const clock = options.clock ?? new SystemClock();
  const demo = options.demo ?? false;
  const heartbeatMs = options.heartbeatMs ?? Limits.heartbeatMs;
  const retention = options.retention ?? { events: Limits.retentionEvents, ms: Limits.retentionMs };
  if (!options.jwtSecret && !demo) throw new Error('A JWT secret is required unless demo mode is on');

  const store = new Store(options.dbPath, { busyTimeoutMs: options.busyTimeoutMs });
  // Demo mode without a configured secret makes one and keeps it with the demo data, so a
  // restarted demo server still accepts the tokens it minted before.
  let secret = options.jwtSecret;
  if (!secret) {
    secret = store.getMeta('demo_jwt_secret') ?? randomBytes(32).toString('base64url');
    store.setMeta('demo_jwt_secret', secret);
  }
  const log = new EventLog(store, retention);
  const projection = new Projection(store, log);
  const domain = new Domain(store, log, projection, clock);
  if (options.seed ?? true) seedDemoData(store, clock);
  seedLoadConsultants(store, options.loadConsultants ?? 0);
  store.write(() => {
    for (const consultant of store.consultants()) domain.ensureConsultantState(consultant);
  });

  const metrics = new Metrics();
  const hub = new Hub(clock, heartbeatMs);
  metrics.setGauges({
    connections: () => hub.connectionsByTransport(),
    oldestUnsentMs: () => hub.oldestUnsentMs(),
  });
  const feed = new Feed(store, log, projection, hub, clock);
  const auth = new Auth(secret, clock, (id) => store.consultant(id) !== undefined, metrics);
  const scheduler = new Scheduler(store, domain, clock);

  domain.onCommit((event) => {
    metrics.eventCommitted(event.kind);
    hub.publish(event);
    if (event.kind.startsWith('consultation.')) scheduler.poke();
  });

  const resetLog = (consultantId: string): LogHead => {
    const head = domain.resetLog(consultantId);
    hub.reset(consultantId, head);
    return head;
  };

  const app = createApp({
    store,
    log,
    projection,
    domain,
    hub,
    feed,
    auth,
    metrics,
    clock,
    origins: new OriginPolicy(options.allowedOrigins),
    demo,
    helloTimeoutMs: options.helloTimeoutMs ?? Limits.helloTimeoutMs,
    maxBufferedBytes: options.maxBufferedBytes ?? 8 * 1024 * 1024,
    upgradeWebSocket,
    assetsDir: options.assetsDir,
    resetLog,
  });

  // Frames over the protocol's limit reach the connection, which closes with the protocol's
  // 4400; only absurd ones (over 256 KiB) are cut by `ws` itself (1009) before buffering.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 256 * 1024 });
  const server: ServerType = createAdaptorServer({
    fetch: app.fetch,
    websocket: { server: wss },
    ...(options.tls
      ? { createServer: createHttpsServer, serverOptions: { cert: options.tls.cert, key: options.tls.key } }
      : {}),
  });

  // Requests whose response has not finished; upgraded WebSockets are not requests here.
  let inFlight = 0;
  server.on('request', (_req: unknown, res: NodeJS.EventEmitter) => {
    inFlight++;
    res.once('close', () => inFlight--);
  });

  const host = options.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 8787, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    // Port taken, address unavailable: leave nothing open behind.
    store.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;

  scheduler.start();
  hub.startHeartbeats();
  // Age retention: events older than the window are dropped now and then. Resume already
  // refuses them by age, so this only keeps the table small.
  const pruneTimer = setInterval(
    () => {
      try {
        store.write(() => log.pruneExpired(clock.now()));
      } catch (error) {
        console.error('event pruning failed', error);
      }
    },
    Math.min(60_000, Math.max(1_000, retention.ms / 10)),
  );
  pruneTimer.unref();

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      scheduler.stop();
      clearInterval(pruneTimer);
      hub.shutdown();
      await new Promise<void>((resolve) => {
        server.close(() => {
          clearInterval(sweep);
          clearTimeout(force);
          resolve();
        });
        // Streams just ended and polls just answered finish writing first; once no request
        // is in flight, every remaining socket (keep-alive, or opened and never used) goes.
        const sweep = setInterval(() => {
          if (inFlight === 0 && 'closeAllConnections' in server) server.closeAllConnections();
        }, 10);
        // Whatever still hangs on (a peer that never answers the close handshake) is cut.
        const force = setTimeout(() => {
          for (const ws of wss.clients) ws.terminate();
          if ('closeAllConnections' in server) server.closeAllConnections();
        }, 2_000);
      });
      store.close();
    })());

  return {
    url: `${options.tls ? 'https' : 'http'}://${urlHost(host)}:${port}`,
    port,
    clock,
    store,
    domain,
    hub,
    metrics,
    auth,
    resetLog,
    close,
  };
}
