/**
 * `startServer`: the reference server, wired and listening. Used by `main.ts` and by the
 * tests, which start it on port 0 with a temporary database and a manual clock.
 *
 * On SQLite (the default) it is the only node. On PostgreSQL (`databaseUrl`) it is one of
 * any number of nodes sharing the database: commits on any node reach the connections of
 * every node (LISTEN/NOTIFY, then a read of the log), one node runs the scheduler, and a
 * node that loses its database says so on /healthz and sends its clients elsewhere.
 */
import { createAdaptorServer, type ServerType } from '@hono/node-server';
import { randomBytes } from 'node:crypto';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { Limits, isLoopbackHost } from '@fg/protocol';
import { Auth } from './auth.js';
import { ConfigError } from './config.js';
import { SystemClock, type Clock } from './clock.js';
import { Consultants, keepMeta, type ConsultantRow } from './db/consultants.js';
import { EventLog, type LogHead, type Retention } from './db/eventlog.js';
import { SqliteStorage } from './db/sqlite.js';
import type { Storage } from './db/storage.js';
import { Domain } from './domain.js';
import { Feed } from './feed.js';
import { createApp } from './http/app.js';
import { OriginPolicy } from './http/origin.js';
import { Hub } from './hub.js';
import { Metrics } from './metrics.js';
import { Projection } from './projection.js';
import { Relay } from './relay.js';
import { Scheduler } from './scheduler.js';
import { acceptWebSockets } from './transports/upgrade.js';
import { seed as seedDemoData, seedLoadConsultants } from './seed.js';

export interface StartOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8787; 0 picks a free port. */
  port?: number;
  /** The SQLite file; used when `databaseUrl` is not given. */
  dbPath?: string;
  /** `postgres://...`: run on PostgreSQL, as one of any number of nodes sharing it. */
  databaseUrl?: string;
  /** This node's name in the database's session list (PostgreSQL `application_name`). */
  nodeName?: string;
  /** How often a node that does not run the scheduler checks whether the one that does is gone. */
  leaderCheckMs?: number;
  /**
   * How long a lost database connection may take to come back before this node reports
   * itself unhealthy and closes its clients with 1013 (PostgreSQL).
   */
  databaseGraceMs?: number;
  /** Demo routes (`/api/demo/*`); 404 when off. */
  demo?: boolean;
  /** HS256 secret; required unless `demo` (then a random one is made). */
  jwtSecret?: string;
  heartbeatMs?: number;
  helloTimeoutMs?: number;
  /** Domain time; default the system clock. */
  clock?: Clock;
  /**
   * Timers of the server's own plumbing (the next read of an event log after one failed),
   * which keep real time even when `clock` is manual; default the system clock. Tests give
   * a manual clock to fire them by hand.
   */
  timers?: Clock;
  /** Origins allowed besides the server's own; `*` for all. */
  allowedOrigins?: string[];
  retention?: Retention;
  /** PEM texts; when given the server speaks HTTPS and WSS. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Seed the demo consultants on first start (default: in demo mode only). */
  seed?: boolean;
  /** Also seed `c-load-0` .. `c-load-{n-1}`, empty dashboards for load tests. */
  loadConsultants?: number;
  /**
   * How long a transaction or statement waits for a lock held elsewhere (another process on
   * SQLite; another session or node on PostgreSQL) before it fails busy: 503 with
   * `Retry-After`, nothing written. Default 5000.
   */
  busyTimeoutMs?: number;
  /** PostgreSQL: how long one statement may run before it is cancelled and fails busy; 0 for no limit. Default 30000. */
  statementTimeoutMs?: number;
  /**
   * Bytes queued for a client beyond which it is cut off: a WebSocket is closed with 1013, an
   * SSE stream's socket is destroyed. Either resumes from its cursor. Default 8 MiB.
   */
  maxBufferedBytes?: number;
  /** Live connections (streams, held polls) one consultant may hold on this node; more get 4429 or 429. */
  maxConnectionsPerConsultant?: number;
  /** WebSockets waiting for their hello on this node; more are refused with 503 before the upgrade. */
  maxAwaitingHello?: number;
  /** Folder served at `/assets/*`; default `demo-server/dist/public` (the built demo bundle). */
  assetsDir?: string;
}

export interface RunningServer {
  url: string;
  port: number;
  clock: Clock;
  storage: Storage;
  domain: Domain;
  hub: Hub;
  metrics: Metrics;
  auth: Auth;
  scheduler: Scheduler;
  /** False while this node has lost its database connection. */
  healthy(): boolean;
  /** Starts a new event log (new epoch) for a consultant; connected clients get a snapshot. */
  resetLog(consultantId: string): Promise<LogHead>;
  /** Closes connections (WebSockets with 1001), stops timers and closes the database. */
  close(): Promise<void>;
}

/** Pending connections the kernel may queue (it caps this at net.core.somaxconn). */
const LISTEN_BACKLOG = 4096;

const urlHost = (host: string): string => (host.includes(':') ? `[${host}]` : host);

/** Consultants without an event log or a calendar (new ones, added by seeding). */
const MISSING_STATE = `
  SELECT c.id, c.name, c.timezone, c.currency, c.locale, c.description FROM consultants c
  WHERE NOT EXISTS (SELECT 1 FROM event_logs l WHERE l.consultant_id = c.id)
     OR NOT EXISTS (SELECT 1 FROM calendars k WHERE k.consultant_id = c.id)`;

async function openStorage(options: StartOptions): Promise<Storage> {
  if (options.databaseUrl) {
    // Loaded only when asked for: the embedded default needs nothing but SQLite.
    const { PostgresStorage } = await import('./db/postgres.js');
    return PostgresStorage.open(options.databaseUrl, {
      nodeName: options.nodeName,
      leaderCheckMs: options.leaderCheckMs,
      graceMs: options.databaseGraceMs,
      busyTimeoutMs: options.busyTimeoutMs,
      statementTimeoutMs: options.statementTimeoutMs,
    });
  }
  if (!options.dbPath) throw new Error('A database is required: dbPath (SQLite) or databaseUrl (PostgreSQL)');
  try {
    return new SqliteStorage(options.dbPath, { busyTimeoutMs: options.busyTimeoutMs });
  } catch (error) {
    // A path that cannot be a database (a read-only folder, a directory): say which, once.
    const why = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConfigError(`FG_DB: cannot open the SQLite database ${options.dbPath} (${why})`);
  }
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const clock = options.clock ?? new SystemClock();
  const demo = options.demo ?? false;
  const heartbeatMs = options.heartbeatMs ?? Limits.heartbeatMs;
  const retention = options.retention ?? { events: Limits.retentionEvents, ms: Limits.retentionMs };
  if (!options.jwtSecret && !demo) throw new Error('A JWT secret is required unless demo mode is on');

  const storage = await openStorage(options);
  const consultants = new Consultants(storage, clock);
  const log = new EventLog(storage, retention);
  const projection = new Projection(storage, log);
  const domain = new Domain(storage, consultants, log, projection, clock);
  let secret = options.jwtSecret;
  try {
    await storage.setup(async (tx) => {
      // Demo mode without a configured secret makes one and keeps it with the demo data, so
      // a restarted demo server (and every other node) accepts the tokens it minted.
      if (!secret) secret = await keepMeta(tx, 'demo_jwt_secret', randomBytes(32).toString('base64url'));
      // A deployment's database gets no made-up consultants.
      if (options.seed ?? demo) await seedDemoData(tx, clock);
      await seedLoadConsultants(tx, options.loadConsultants ?? 0);
      for (const consultant of await tx.all<ConsultantRow>(MISSING_STATE)) {
        await domain.ensureConsultantState(tx, consultant);
      }
    });
  } catch (error) {
    await storage.close();
    throw error;
  }

  const metrics = new Metrics();
  const hub = new Hub(clock, heartbeatMs, options.maxConnectionsPerConsultant ?? 32);
  const relay = new Relay(hub, storage, log, options.timers ?? new SystemClock());
  const feed = new Feed(storage, log, projection, hub, clock);
  const auth = new Auth(secret!, clock, async (id) => (await consultants.get(id)) !== undefined, metrics);
  const scheduler = new Scheduler(storage, domain, clock);
  const cluster = storage.cluster;
  let databaseUp = true;
  let leader = false;
  metrics.setGauges({
    connections: () => hub.connectionsByTransport(),
    oldestUnsentMs: () => hub.oldestUnsentMs(),
    databaseUp: () => databaseUp,
    schedulerLeader: () => leader,
  });

  domain.onCommit((event) => {
    metrics.eventCommitted(event.kind);
    relay.committed(event);
    if (event.kind.startsWith('consultation.')) scheduler.poke();
  });

  const resetLog = async (consultantId: string): Promise<LogHead> => {
    const head = await domain.resetLog(consultantId);
    relay.signal({ consultantId, epoch: head.epoch, seq: head.seq, kind: 'reset' });
    return head;
  };

  const origins = new OriginPolicy(options.allowedOrigins, isLoopbackHost(options.host ?? '127.0.0.1'));
  const helloTimeoutMs = options.helloTimeoutMs ?? Limits.helloTimeoutMs;
  const maxBufferedBytes = options.maxBufferedBytes ?? 8 * 1024 * 1024;
  const app = createApp({
    storage,
    consultants,
    log,
    projection,
    domain,
    hub,
    feed,
    auth,
    metrics,
    clock,
    origins,
    demo,
    assetsDir: options.assetsDir,
    resetLog,
    healthy: () => databaseUp,
    settled: () => scheduler.idle(),
    maxBufferedBytes,
  });

  // Frames over the protocol's limit reach the connection, which closes with the protocol's
  // 4400; only absurd ones (over 256 KiB) are cut by `ws` itself (1009) before buffering.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 256 * 1024 });
  const server: ServerType = createAdaptorServer({
    fetch: app.fetch,
    ...(options.tls
      ? { createServer: createHttpsServer, serverOptions: { cert: options.tls.cert, key: options.tls.key } }
      : {}),
  });
  acceptWebSockets(server, wss, origins, {
    auth,
    feed,
    hub,
    consultants,
    clock,
    healthy: () => databaseUp,
    metrics,
    helloTimeoutMs,
    maxBufferedBytes,
    awaitingHello: { count: 0, max: options.maxAwaitingHello ?? 4096 },
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
      // A reconnect storm (every dashboard back at once after a network drop or a restart)
      // arrives faster than one event loop accepts: a short accept queue drops the excess
      // handshakes, which the clients' TCP stacks only resend a second later.
      server.listen({ port: options.port ?? 8787, host, backlog: LISTEN_BACKLOG }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    // Port taken, address unavailable: leave nothing open behind.
    await storage.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;

  hub.startHeartbeats();
  // Age retention: events older than the window are dropped now and then, by the node that
  // runs the scheduler. Resume already refuses them by age, so this only keeps tables small.
  const pruneTimer = setInterval(
    () => {
      if (!leader) return;
      log.pruneExpired(clock.now()).catch((error: unknown) => console.error('event pruning failed', error));
    },
    Math.min(60_000, Math.max(1_000, retention.ms / 10)),
  );
  pruneTimer.unref();

  let closed = false;
  if (cluster) {
    cluster.onSignal((signal) => {
      relay.signal(signal);
      if (signal.kind.startsWith('consultation.')) scheduler.poke();
    });
    cluster.onConnection((up) => {
      if (closed) return;
      databaseUp = up;
      // Back: signals sent meanwhile were lost, so every followed log is read again.
      if (up) relay.resume();
      // Gone: clients reconnect through the load balancer to a node that has its database.
      else hub.dropAll();
    });
    await cluster.lead((leading) => {
      if (closed) return;
      leader = leading;
      if (leading) void scheduler.start();
      else scheduler.stop();
    });
    await scheduler.idle();
  } else {
    leader = true;
    await scheduler.start();
  }

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      closed = true;
      storage.stopWaiting();
      scheduler.stop();
      relay.close();
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
      await scheduler.idle();
      await storage.close();
    })());

  return {
    url: `${options.tls ? 'https' : 'http'}://${urlHost(host)}:${port}`,
    port,
    clock,
    storage,
    domain,
    hub,
    metrics,
    auth,
    scheduler,
    healthy: () => databaseUp,
    resetLog,
    close,
  };
}
