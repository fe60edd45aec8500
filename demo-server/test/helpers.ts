/**
 * Test support: the real server on a random loopback port with a temporary database (an
 * SQLite file, or a fresh database on a PostgreSQL server started for the test file) and a
 * manual clock, and small clients for each transport that queue what they receive so tests
 * can wait for frames (with a timeout guard) instead of sleeping.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { WebSocket } from 'ws';
import type { Cursor, EventFrame, ServerFrame, SimulateRequest, SimulateResponse } from '@fg/protocol';
import { ManualClock } from '../src/clock.js';
import { startServer, type RunningServer, type StartOptions } from '../src/server.js';
import { startPostgres, type PgServer } from './support/postgres.js';

/** Friday 14 March 2025, 11:00 in New York (15:00 UTC): a fixed, ordinary instant. */
export const T0 = Date.UTC(2025, 2, 14, 15, 0, 0);
/**
 * How long a helper waits for a frame, a subscriber, a socket to open or close before it
 * fails the test: only how long a failure takes, so generous for a slow, busy machine.
 */
export const WAIT_MS = 15_000;
export const SECRET = 'test-secret-test-secret-test-secret-0123456789';

/** The two storage implementations; suites that hold for both run once on each. */
export type Backend = 'sqlite' | 'postgres';
export const BACKENDS: readonly Backend[] = ['sqlite', 'postgres'];

let postgres: Promise<PgServer> | undefined;

/** The test file's PostgreSQL server, started on first use and stopped after the file. */
export function testPostgres(): Promise<PgServer> {
  return (postgres ??= startPostgres());
}

after(async () => {
  if (postgres) await (await postgres).stop();
});

export interface TestServer extends RunningServer {
  clock: ManualClock;
  backend: Backend;
  /** SQLite: the file. */
  dbPath: string;
  /** PostgreSQL: the database. */
  databaseUrl: string;
  dir: string;
}

/**
 * A server for the enclosing suite: started in a `before` hook and closed in an `after`
 * hook, both registered at once. Call it in the suite's body before any await, and do the
 * rest of the setup in `before` hooks too: node:test can attach tests and hooks registered
 * after an await in a suite's body to another suite. The object is filled in by the time
 * the tests run.
 */
export function suiteServer(options: Parameters<typeof startTestServer>[0] = {}): TestServer {
  const server = {} as TestServer;
  before(async () => {
    Object.assign(server, await startTestServer({ ...options, keepAfter: true }));
  });
  after(async () => {
    if (!server.close) return;
    await server.close();
    if (server.dir) rmSync(server.dir, { recursive: true, force: true });
  });
  return server;
}

/**
 * Waits until the time-driven work a clock move set off (consultations starting, days
 * turning) is committed: on PostgreSQL each commit is a trip to the database.
 */
export async function settled(server: TestServer): Promise<void> {
  await server.clock.settled();
  await server.scheduler.idle();
}

/**
 * Starts a server for the rest of the file (closed and deleted after it). On `postgres` it
 * gets a database of its own unless `databaseUrl` names one (a restart).
 */
export async function startTestServer(
  options: Partial<StartOptions> & { start?: number; keepAfter?: boolean; backend?: Backend } = {},
): Promise<TestServer> {
  // The hook is registered before the first await: node:test attaches hooks registered
  // later in a suite's body to whatever runs at that moment.
  let running: TestServer | undefined;
  if (!options.keepAfter) {
    after(async () => {
      if (!running) return;
      await running.close();
      if (running.dir) rmSync(running.dir, { recursive: true, force: true });
    });
  }
  const backend = options.backend ?? (options.databaseUrl ? 'postgres' : 'sqlite');
  const clock = (options.clock as ManualClock | undefined) ?? new ManualClock(options.start ?? T0);
  let dir = '';
  let dbPath = '';
  let databaseUrl = '';
  if (backend === 'postgres') {
    databaseUrl = options.databaseUrl ?? (await (await testPostgres()).createDatabase());
  } else {
    dir = options.dbPath ? '' : mkdtempSync(join(tmpdir(), 'fg-server-test-'));
    dbPath = options.dbPath ?? join(dir, 'fg.db');
  }
  try {
    const server = await startServer({
      port: 0,
      demo: true,
      jwtSecret: SECRET,
      heartbeatMs: 60_000,
      ...options,
      ...(backend === 'postgres' ? { databaseUrl, dbPath: undefined } : { dbPath, databaseUrl: undefined }),
      clock,
    });
    running = { ...server, clock, backend, dbPath, databaseUrl, dir };
    return running;
  } catch (error) {
    if (dir) rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

export function sameDatabase(first: TestServer): Partial<StartOptions> & { backend: Backend } {
  return first.backend === 'postgres'
    ? { backend: 'postgres', databaseUrl: first.databaseUrl }
    : { backend: 'sqlite', dbPath: first.dbPath };
}

export async function tokenFor(
  server: RunningServer,
  consultantId: string,
  ttlSeconds = 3600,
): Promise<string> {
  return (await server.auth.sign(consultantId, ttlSeconds)).token;
}

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;
export type SimulateBody = DistributiveOmit<SimulateRequest, 'consultantId'>;

export async function post(
  server: { url: string },
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  return fetch(server.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export async function simulate(
  server: { url: string },
  consultantId: string,
  body: SimulateBody,
): Promise<SimulateResponse> {
  const res = await post(server, '/api/demo/simulate', { consultantId, ...body });
  if (res.status !== 200) throw new Error(`simulate ${body.action}: ${res.status} ${await res.text()}`);
  return (await res.json()) as SimulateResponse;
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** Waits for a promise, failing the test with `what` if it takes longer than `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]);
}

/** A queue of received items that tests consume in order, waiting when it runs dry. */
class Inbox<T> {
  private readonly items: T[] = [];
  private read = 0;
  private waiter: (() => void) | undefined;
  ended = false;

  push(item: T): void {
    this.items.push(item);
    this.waiter?.();
  }

  end(): void {
    this.ended = true;
    this.waiter?.();
  }

  get all(): readonly T[] {
    return this.items;
  }

  async next(timeoutMs = WAIT_MS, what = 'the next frame'): Promise<T> {
    const deadline = performance.now() + timeoutMs;
    while (this.read >= this.items.length) {
      if (this.ended) throw new Error(`connection ended while waiting for ${what}`);
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await within(new Promise<void>((resolve) => (this.waiter = resolve)), left, what).finally(
        () => (this.waiter = undefined),
      );
    }
    return this.items[this.read++]!;
  }

  /** Everything not yet consumed, without waiting. */
  drain(): T[] {
    const rest = this.items.slice(this.read);
    this.read = this.items.length;
    return rest;
  }
}

export interface FrameSource {
  next(timeoutMs?: number): Promise<ServerFrame>;
  drain(): ServerFrame[];
}

/** Next frame that is not a heartbeat. */
export async function nextNonHeartbeat(source: FrameSource, timeoutMs = WAIT_MS): Promise<ServerFrame> {
  for (;;) {
    const frame = await source.next(timeoutMs);
    if (frame.type !== 'heartbeat') return frame;
  }
}

/** The next `n` event frames, skipping heartbeats; fails on anything else. */
export async function nextEvents(source: FrameSource, n: number, timeoutMs = WAIT_MS): Promise<EventFrame[]> {
  const events: EventFrame[] = [];
  while (events.length < n) {
    const frame = await nextNonHeartbeat(source, timeoutMs);
    if (frame.type !== 'event')
      throw new Error(`expected an event, got ${JSON.stringify(frame).slice(0, 200)}`);
    events.push(frame);
  }
  return events;
}

// ---- WebSocket ----

export class WsClient implements FrameSource {
  readonly inbox = new Inbox<ServerFrame>();
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly opened: Promise<void>;

  constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.inbox.end();
        resolve({ code, reason: reason.toString() });
      });
    });
    this.opened = new Promise((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
    ws.on('message', (data, isBinary) => {
      if (!isBinary) this.inbox.push(JSON.parse(data.toString()) as ServerFrame);
    });
  }

  static async open(
    server: { url: string },
    options: { origin?: string; path?: string } = {},
  ): Promise<WsClient> {
    const client = new WsClient(
      new WebSocket(
        server.url.replace(/^http/, 'ws') + (options.path ?? '/api/ws'),
        options.origin ? { origin: options.origin } : {},
      ),
    );
    await within(client.opened, WAIT_MS, 'the WebSocket to open');
    return client;
  }

  /** Opens, says hello, and returns once the welcome has arrived. */
  static async connect(
    server: { url: string },
    token: string,
    since: Cursor | null = null,
  ): Promise<WsClient> {
    const client = await WsClient.open(server);
    client.send({ type: 'hello', token, since });
    const welcome = await client.next();
    if (welcome.type !== 'welcome') throw new Error(`expected welcome, got ${JSON.stringify(welcome)}`);
    return client;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  next(timeoutMs = WAIT_MS): Promise<ServerFrame> {
    return this.inbox.next(timeoutMs);
  }

  drain(): ServerFrame[] {
    return this.inbox.drain();
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close();
    await within(this.closed, WAIT_MS, 'the WebSocket to close');
  }

  async closedWith(timeoutMs = WAIT_MS): Promise<{ code: number; reason: string }> {
    return within(this.closed, timeoutMs, 'the server to close the WebSocket');
  }
}

// ---- SSE ----

export interface SseMessage {
  event: string;
  id: string | undefined;
  data: string;
}

export class SseClient implements FrameSource {
  readonly messages = new Inbox<SseMessage>();
  private readonly abort = new AbortController();
  status = 0;
  ended!: Promise<void>;

  private constructor() {}

  static async connect(
    server: { url: string },
    token: string | null,
    lastEventId?: string,
  ): Promise<SseClient & { response: Response }> {
    const client = new SseClient();
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
    const response = await fetch(server.url + '/api/stream', { headers, signal: client.abort.signal });
    client.status = response.status;
    if (response.ok) client.ended = client.pump(response.body!);
    else client.ended = Promise.resolve();
    return Object.assign(client, { response });
  }

  private async pump(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let at: number;
        while ((at = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, at);
          buffer = buffer.slice(at + 2);
          const message: SseMessage = { event: 'message', id: undefined, data: '' };
          const data: string[] = [];
          for (const line of block.split('\n')) {
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'event') message.event = value;
            else if (field === 'id') message.id = value;
            else if (field === 'data') data.push(value);
          }
          message.data = data.join('\n');
          this.messages.push(message);
        }
      }
    } catch {
      // aborted by the test
    } finally {
      this.messages.end();
    }
  }

  nextMessage(timeoutMs = WAIT_MS): Promise<SseMessage> {
    return this.messages.next(timeoutMs, 'the next SSE message');
  }

  async next(timeoutMs = WAIT_MS): Promise<ServerFrame> {
    return JSON.parse((await this.nextMessage(timeoutMs)).data) as ServerFrame;
  }

  drain(): ServerFrame[] {
    return this.messages.drain().map((m) => JSON.parse(m.data) as ServerFrame);
  }

  close(): void {
    this.abort.abort();
  }
}

// ---- long-poll ----

export async function poll(
  server: { url: string },
  token: string,
  query: { epoch?: string; since?: number; wait?: number } = {},
): Promise<{ status: number; frames: ServerFrame[]; body: unknown }> {
  const params = new URLSearchParams();
  if (query.epoch !== undefined) params.set('epoch', query.epoch);
  if (query.since !== undefined) params.set('since', String(query.since));
  if (query.wait !== undefined) params.set('wait', String(query.wait));
  const res = await fetch(`${server.url}/api/changes?${params}`, { headers: bearer(token) });
  const body = (await res.json()) as { frames?: ServerFrame[] };
  return { status: res.status, frames: body.frames ?? [], body };
}

/** Waits until the hub has `n` subscribers for the consultant (a held poll, an open stream). */
export async function untilSubscribed(server: RunningServer, consultantId: string, n = 1): Promise<void> {
  const deadline = performance.now() + WAIT_MS;
  while (server.hub.subscriberCount(consultantId) < n) {
    if (performance.now() > deadline) throw new Error(`no ${n} subscribers for ${consultantId}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
