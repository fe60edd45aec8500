/**
 * `GET /api/stream`: Server-Sent Events. The token travels in the `Authorization` header
 * and the cursor in `Last-Event-ID`. Each frame is `event: <type>`, `id: <epoch>:<seq>` (the
 * cursor a client holds once it has applied the frame) and one `data:` line of JSON.
 */
import type { ServerResponse } from 'node:http';
import type { Context } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import { ErrorCode, formatCursor, parseCursor, type Cursor, type WelcomeFrame } from '@fg/protocol';
import type { Auth } from '../auth.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { ConsultantRow, Consultants } from '../db/consultants.js';
import type { OutEvent } from '../db/eventlog.js';
import { busy, type AppError } from '../errors.js';
import { Stream, type Attached, type Feed, type Outgoing } from '../feed.js';
import type { Hub } from '../hub.js';
import type { Metrics } from '../metrics.js';
import { authenticate } from '../http/respond.js';
import { PendingSends } from './pending.js';

export interface SseDeps {
  auth: Auth;
  feed: Feed;
  hub: Hub;
  consultants: Consultants;
  clock: Clock;
  metrics: Metrics;
  healthy(): boolean;
  /** A client this far behind (bytes queued for its stream and on its socket) is cut off. */
  maxBufferedBytes: number;
}

/** The Node response under the stream (`@hono/node-server`); absent when the app runs elsewhere. */
type NodeResponse = Pick<
  ServerResponse,
  'destroy' | 'destroyed' | 'once' | 'writableFinished' | 'writableLength'
>;

/** One SSE message. `id` undefined leaves the client's last event id as it was. */
function sseChunk(type: string, id: string | undefined, json: string): string {
  return `event: ${type}\n${id === undefined ? '' : `id: ${id}\n`}data: ${json}\n\n`;
}

const encoder = new TextEncoder();
/** How long an ended stream may take to hand its client what is still queued. */
const END_GRACE_MS = 2_000;

/** Events are formatted and encoded once for every SSE connection that carries them. */
const eventChunks = new WeakMap<OutEvent, Uint8Array>();
function eventChunk(event: OutEvent): Uint8Array {
  let chunk = eventChunks.get(event);
  if (!chunk) {
    chunk = encoder.encode(sseChunk('event', `${event.epoch}:${event.seq}`, event.json));
    eventChunks.set(event, chunk);
  }
  return chunk;
}

class SseConnection extends Stream {
  readonly transport = 'sse' as const;
  /** The response's stream, once the connection has caught up and the answer is 200. */
  private stream!: SSEStreamingApi;
  private ended = false;
  /** The welcome and what the client needed on (re)connection are written. */
  private streaming = false;
  private expiryTimer: TimerHandle | undefined;
  private readonly unsent = new PendingSends();
  /**
   * Why the server ended the connection before its answer began (stopping, or its database
   * lost): the 503 to answer instead of a 200 stream with nothing in it.
   */
  refusal: AppError | undefined;
  /** Bytes handed to the stream and not yet passed on to the response. */
  private queuedBytes = 0;
  private resolveDone!: () => void;
  readonly done = new Promise<void>((resolve) => (this.resolveDone = resolve));

  constructor(
    private readonly response: NodeResponse | undefined,
    consultant: ConsultantRow,
    private readonly deps: SseDeps,
  ) {
    super(deps.feed, consultant);
  }

  oldestUnsent(): number | undefined {
    return this.unsent.oldest();
  }

  protected live(): boolean {
    return !this.ended;
  }

  /**
   * Subscribes, then reads where the client stands: what is committed meanwhile is held and
   * follows the replay, without duplicates. Before the answer: a database that does not
   * answer is then a 503, which the client retries on this transport.
   */
  attach(cursor: Cursor | null): Promise<Attached> {
    return this.deps.feed.attach(this, this.consultant, cursor);
  }

  /** Sends the welcome and what `attach` read on `stream`, then goes live. */
  start(stream: SSEStreamingApi, attached: Attached, rawCursor: string | undefined, expiresAt: number): void {
    const { hub, clock } = this.deps;
    this.stream = stream;
    if (this.ended) return;
    const welcome: WelcomeFrame = {
      type: 'welcome',
      consultantId: this.consultant.id,
      epoch: attached.head.epoch,
      seq: attached.head.seq,
      heartbeatMs: hub.heartbeatMs,
      tokenExpiresAt: expiresAt,
      serverTime: clock.now(),
    };
    // The welcome's id is the cursor the client already holds: the resumed one before a
    // replay, or the one it sent (possibly none) before a snapshot. A stream cut right
    // after the welcome then resumes exactly where the client really is.
    const welcomeId = attached.resumedFrom ? formatCursor(attached.resumedFrom) : rawCursor;
    this.write(sseChunk('welcome', welcomeId, JSON.stringify(welcome)));
    for (const frame of attached.frames) this.writeFrame(frame);
    this.open(attached.head);
    this.streaming = true;
    this.expiryTimer = clock.setTimer(expiresAt, () => this.expire());
  }

  protected sendEvent(event: OutEvent): void {
    if (!this.tooFarBehind()) this.track(this.write(eventChunk(event)), event.committedAt);
  }

  protected sendSnapshot(frame: Outgoing): void {
    this.writeFrame(frame);
  }

  protected lost(): void {
    this.unavailable();
  }

  /**
   * Not before the welcome. Its data names the log's head (which may be ahead of this stream
   * for a moment: a client behind it watches for the missing events); its id, like every
   * frame's, is the cursor the client holds once it has read it, so where this stream stands.
   */
  heartbeat(json: string): void {
    if (this.streaming && !this.ended && !this.tooFarBehind())
      this.write(sseChunk('heartbeat', formatCursor(this.cursor), json));
  }

  /**
   * Too far behind to catch up live, before anything more is queued (an event, or a heartbeat
   * that would queue behind the rest for as long as the token lasts): cut off, the client
   * resumes from its cursor.
   */
  private tooFarBehind(): boolean {
    if (this.queuedBytes + (this.response?.writableLength ?? 0) <= this.deps.maxBufferedBytes) return false;
    this.cutOff();
    return true;
  }

  private writeFrame(frame: Outgoing): void {
    const written = this.write(sseChunk(frame.type, `${frame.epoch}:${frame.seq}`, frame.json));
    if (frame.committedAt !== undefined) this.track(written, frame.committedAt);
  }

  private track(written: Promise<unknown>, committedAt: number): void {
    this.unsent.push(committedAt);
    void written.then(() => {
      this.unsent.shift();
      // A stream aborted (cut off, or the client gone) dropped what it still held.
      if (!this.stream.aborted) this.deps.metrics.eventSent('sse', committedAt);
    });
  }

  /**
   * Writes are queued in call order by the stream and pass to the response as it drains;
   * `write` never rejects (an aborted stream settles what it held).
   */
  private write(chunk: string | Uint8Array): Promise<unknown> {
    const bytes = typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
    this.queuedBytes += bytes.byteLength;
    return this.stream.write(bytes).finally(() => (this.queuedBytes -= bytes.byteLength));
  }

  private expire(): void {
    this.fail(ErrorCode.authExpired, ErrorCode.authExpired, 'The token has expired');
  }

  shutdown(): void {
    this.refuse(busy('This server is stopping; retry shortly.'));
    this.end();
  }

  /** The node lost its database: the stream ends, and the client resumes (on another node). */
  unavailable(): void {
    this.refuse(busy('This server lost its database; reconnect'));
    this.fail('error', ErrorCode.overloaded, 'This server lost its database; reconnect');
  }

  /** Notes `error` as the answer, if the connection is still catching up (see `refusal`). */
  private refuse(error: AppError): void {
    if (!this.ended && !this.streaming) this.refusal = error;
  }

  /** Ends the stream after an `error` frame, sent as `event` (once streaming: none before the welcome). */
  private fail(event: string, code: string, message: string): void {
    if (this.ended) return;
    if (this.streaming)
      this.write(
        sseChunk(event, formatCursor(this.cursor), JSON.stringify({ type: 'error', code, message })),
      );
    this.end();
  }

  /**
   * Cuts off a client that stopped reading. Ending the response would wait for every queued
   * write, which such a client never takes: the writes are dropped and the socket destroyed.
   */
  private cutOff(): void {
    this.end();
    this.stream.abort();
    this.response?.destroy();
  }

  /**
   * Ends the response once what is queued is written (or notes that the client went away).
   * A client that stopped reading never takes it: cut off after a grace, as a WebSocket that
   * does not answer its close is (what it did not get, it resumes from its cursor).
   */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.expiryTimer) this.deps.clock.clearTimer(this.expiryTimer);
    this.deps.hub.remove(this);
    this.resolveDone();
    const { response } = this;
    if (!response || response.destroyed) return;
    const grace = setTimeout(() => {
      if (!response.writableFinished) this.cutOff();
    }, END_GRACE_MS);
    grace.unref();
    response.once('close', () => clearTimeout(grace));
  }
}

export async function sseHandler(c: Context, deps: SseDeps): Promise<Response> {
  const principal = await authenticate(c, deps.auth);
  if (!deps.healthy()) throw busy('This server lost its database; nothing was read. Retry shortly.');
  const consultant = (await deps.consultants.get(principal.consultantId))!;
  const rawCursor = c.req.header('last-event-id')?.trim() || undefined;
  const cursor = parseCursor(rawCursor);
  const signal = c.req.raw.signal;
  const response = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  const connection = new SseConnection(response, consultant, deps);
  const gone = (): void => connection.end();
  signal.addEventListener('abort', gone, { once: true });
  // However the answer ends, the connection ends with it.
  response?.once('close', gone);
  let attached: Attached;
  try {
    // A busy or lost database fails this (the error handler answers 503), not an empty stream.
    attached = await connection.attach(cursor);
  } catch (error) {
    signal.removeEventListener('abort', gone);
    connection.end();
    throw error;
  }
  // Ended by the server while catching up: the client is told to retry, as for a busy
  // database. Ended because the client went away, there is nobody to answer.
  if (connection.refusal) {
    signal.removeEventListener('abort', gone);
    throw connection.refusal;
  }
  // Proxies must not buffer the stream.
  c.header('X-Accel-Buffering', 'no');
  return streamSSE(c, async (stream) => {
    stream.onAbort(gone);
    if (signal.aborted) connection.end();
    connection.start(stream, attached, cursor ? rawCursor : undefined, principal.expiresAt);
    await connection.done;
    signal.removeEventListener('abort', gone);
  });
}
