/** The HTTP surface: every route of the protocol, the demo routes, operations and the demo page. */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { ErrorCode, Limits, Paths } from '@fg/protocol';
import type { Auth } from '../auth.js';
import type { Clock } from '../clock.js';
import type { Consultants } from '../db/consultants.js';
import type { EventLog, LogHead } from '../db/eventlog.js';
import type { Storage } from '../db/storage.js';
import type { Domain } from '../domain.js';
import { AppError, notFound } from '../errors.js';
import type { Feed } from '../feed.js';
import type { Hub } from '../hub.js';
import type { Metrics } from '../metrics.js';
import type { Projection } from '../projection.js';
import { demoRoutes } from '../routes/demo.js';
import { staticRoutes } from '../routes/static.js';
import { longPollHandler } from '../transports/longpoll.js';
import { sseHandler } from '../transports/sse.js';
import type { OriginPolicy } from './origin.js';
import { authenticate, errorResponse, jsonText, NO_STORE, toErrorResponse } from './respond.js';

export interface AppDeps {
  storage: Storage;
  consultants: Consultants;
  log: EventLog;
  projection: Projection;
  domain: Domain;
  hub: Hub;
  feed: Feed;
  auth: Auth;
  metrics: Metrics;
  clock: Clock;
  origins: OriginPolicy;
  demo: boolean;
  assetsDir?: string;
  resetLog(consultantId: string): Promise<LogHead>;
  /** False while this node has lost its database. */
  healthy(): boolean;
  /** Bytes queued on an SSE stream beyond which the client is cut off. */
  maxBufferedBytes: number;
  /** Resolves when time-driven work due on a manual clock is committed. */
  settled(): Promise<void>;
}

export function createApp(deps: AppDeps): Hono {
  const { consultants, projection, domain, auth, clock, origins } = deps;
  const app = new Hono();

  app.onError((error) => toErrorResponse(error));
  app.notFound((c) => errorResponse(notFound(`No route ${c.req.method} ${c.req.path}`)));

  // Headers added to a response already made go on its own headers: `c.header()` would first
  // turn the node adapter's light response into a whole web Response, for every request.
  app.use('*', async (c, next) => {
    await next();
    c.res.headers.set('X-Content-Type-Options', 'nosniff');
  });

  // Every answer of the API is the consultant's own, or mints a token: no cache keeps one,
  // the event stream included (hono's own `no-cache` there still lets a cache store it).
  app.use('/api/*', async (c, next) => {
    await next();
    c.res.headers.set('Cache-Control', 'no-store');
  });

  // Widgets live in host pages on other origins: those on the allow-list may call the API.
  // A request without an Origin (not a browser's cross-origin request or POST: a server's, a
  // script's) needs no CORS headers, and skips the cost of hono's adding them (see above).
  const corsHeaders = cors({
    origin: (origin, c) => (origins.allows(origin, c.req.url) ? origin : null),
    allowMethods: ['GET', 'POST', 'OPTIONS'],
    allowHeaders: ['Authorization', 'Content-Type', 'Last-Event-ID'],
    exposeHeaders: ['Retry-After'],
    maxAge: 600,
  });
  app.use('/api/*', async (c, next) => {
    if (c.req.header('origin') !== undefined) return corsHeaders(c, next);
    await next();
    c.res.headers.append('Vary', 'Origin');
  });
  app.use('*', async (c, next) => {
    if (!origins.hostAllowed(c.req.header('host'))) {
      throw new AppError(403, ErrorCode.originNotAllowed, 'This server is not served under that host name');
    }
    await next();
  });
  // Pages on other origins are refused outright: CORS alone would still let them open
  // streams and hold connections they cannot read, and it does not cover WebSockets at all.
  app.use('/api/*', async (c, next) => {
    if (!origins.allows(c.req.header('origin'), c.req.url)) {
      // Not `forbidden`: that word ends the consultant's session, and this is the page's address.
      throw new AppError(403, ErrorCode.originNotAllowed, 'This origin is not allowed');
    }
    await next();
  });
  // A body over the limit is refused before it is read: by the length it declares (Node reads
  // no more than that), or, sent in chunks, as hono's bodyLimit counts it. A request without a
  // body is let through untouched: asking for its body would build a whole web Request, a
  // good share of the cost of a small request.
  const tooLarge = () =>
    errorResponse(new AppError(413, ErrorCode.tooLarge, `The body is over ${Limits.maxBodyBytes} bytes`));
  const countChunks = bodyLimit({ maxSize: Limits.maxBodyBytes, onError: tooLarge });
  app.use('/api/*', (c, next) => {
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return next();
    const length = c.req.header('content-length');
    if (length === undefined || c.req.header('transfer-encoding') !== undefined) return countChunks(c, next);
    return Number(length) > Limits.maxBodyBytes ? Promise.resolve(tooLarge()) : next();
  });

  app.get(Paths.dashboard, async (c) => {
    const principal = await authenticate(c, auth);
    const consultant = (await consultants.get(principal.consultantId))!;
    return jsonText(JSON.stringify(await projection.snapshot(consultant, clock.now())));
  });

  app.post('/api/messages/:id/read', async (c) => {
    const principal = await authenticate(c, auth);
    const id = c.req.param('id');
    const event = await domain.markMessageRead(principal.consultantId, id);
    // Already read: nothing changed and no event was appended; the answer names the head.
    const seq = event?.seq ?? (await deps.log.head(deps.storage.sql, principal.consultantId)).seq;
    return c.json({ id, read: true, changed: event !== null, seq });
  });

  // Upgrades never get here (transports/upgrade.ts takes them); a plain GET does.
  app.get(Paths.websocket, () =>
    errorResponse(new AppError(400, ErrorCode.malformed, 'This route only accepts WebSocket upgrades')),
  );

  // hono answers HEAD with the GET handler, its body dropped: a stream or a held poll would
  // subscribe for an answer that carries nothing and ends at once, and stay subscribed
  // (counted against the consultant's connections) until its token expired.
  for (const path of [Paths.stream, Paths.changes])
    app.use(path, (c, next) =>
      c.req.method === 'HEAD'
        ? Promise.resolve(
            errorResponse(
              new AppError(405, ErrorCode.malformed, `${path} is read with GET`, {}, { Allow: 'GET' }),
            ),
          )
        : next(),
    );
  app.get(Paths.stream, (c) => sseHandler(c, deps));
  app.get(Paths.changes, (c) => longPollHandler(c, deps));

  if (deps.demo) demoRoutes(app, deps);

  // A load balancer's health check: 503 while the database does not answer (or this node has
  // lost its connection to it), so traffic goes to other nodes.
  app.get('/healthz', async (c) =>
    deps.healthy() && (await deps.storage.ping())
      ? c.json({ ok: true }, 200, NO_STORE)
      : c.json({ ok: false, error: ErrorCode.busy, message: 'The database does not answer' }, 503, NO_STORE),
  );
  app.get('/metrics', (c) =>
    c.text(deps.metrics.render(), 200, {
      'Content-Type': 'text/plain; version=0.0.4; charset=utf-8',
      ...NO_STORE,
    }),
  );

  staticRoutes(app, deps.assetsDir);
  return app;
}
