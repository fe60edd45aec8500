/**
 * `GET /api/changes?epoch=E&since=N&wait=W`: long-polling. Answers at once when there is
 * something after the cursor (events, or a snapshot when the cursor cannot be resumed);
 * otherwise holds the request up to W seconds for the next events, then answers one
 * heartbeat. An expiring token ends a hold with 401.
 */
import type { Context } from 'hono';
import { ErrorCode, Limits, parseCursor, type Cursor } from '@fg/protocol';
import type { Auth } from '../auth.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { ConsultantRow, Consultants } from '../db/consultants.js';
import type { OutEvent } from '../db/eventlog.js';
import { AppError, badRequest, busy } from '../errors.js';
import { Stream, type Feed, type Outgoing } from '../feed.js';
import { heartbeatJson, type Hub } from '../hub.js';
import type { Metrics } from '../metrics.js';
import { authenticate, errorResponse, jsonText } from '../http/respond.js';

export interface LongPollDeps {
  auth: Auth;
  feed: Feed;
  hub: Hub;
  consultants: Consultants;
  clock: Clock;
  metrics: Metrics;
  healthy(): boolean;
}

const framesBody = (jsons: readonly string[]): string => `{"frames":[${jsons.join(',')}]}`;

/** Reads `epoch`, `since` and `wait`; a cursor needs both `epoch` and `since`. */
function parseQuery(c: Context): { cursor: Cursor | null; waitMs: number } {
  const epoch = c.req.query('epoch');
  const since = c.req.query('since');
  const wait = c.req.query('wait');
  let cursor: Cursor | null = null;
  if (epoch !== undefined || since !== undefined) {
    if (epoch === undefined || since === undefined) throw badRequest('epoch and since go together');
    cursor = parseCursor(`${epoch}:${since}`);
    if (!cursor) throw badRequest('epoch must match [A-Za-z0-9_-]{1,64} and since be a non-negative integer');
  }
  let waitMs = 0;
  if (wait !== undefined) {
    const seconds = Number(wait);
    if (wait.trim() === '' || !Number.isFinite(seconds) || seconds < 0) {
      throw badRequest('wait must be a non-negative number of seconds');
    }
    waitMs = Math.min(seconds, Limits.maxLongPollWaitSeconds) * 1000;
  }
  return { cursor, waitMs };
}

/**
 * A poll that subscribed before reading: if the read finds nothing new, it holds, and the
 * first events to arrive (or the hold's end) answer it.
 */
class HeldPoll extends Stream {
  readonly transport = 'polling' as const;
  private readonly frames: string[] = [];
  private holdTimer: NodeJS.Timeout | undefined;
  private expiryTimer: TimerHandle | undefined;
  private flushScheduled = false;
  private settled = false;
  private oldest: number | undefined;
  private resolve!: (response: Response) => void;
  readonly answer = new Promise<Response>((resolve) => (this.resolve = resolve));

  constructor(
    consultant: ConsultantRow,
    private readonly deps: LongPollDeps,
  ) {
    super(deps.feed, consultant);
  }

  oldestUnsent(): number | undefined {
    return this.oldest;
  }

  protected live(): boolean {
    return !this.settled;
  }

  hold(waitMs: number, expiresAt: number, signal: AbortSignal): void {
    if (this.settled) return;
    this.holdTimer = setTimeout(() => this.answerHeartbeat(), waitMs);
    this.expiryTimer = this.deps.clock.setTimer(expiresAt, () =>
      this.settle(errorResponse(new AppError(401, ErrorCode.authExpired, 'The token has expired'))),
    );
    signal.addEventListener('abort', () => this.settle(new Response(null, { status: 499 })), { once: true });
  }

  protected sendEvent(event: OutEvent): void {
    this.frames.push(event.json);
    this.oldest ??= event.committedAt;
    const committedAt = event.committedAt;
    // Events committed in the same turn (a burst, a scheduler catch-up) share one answer.
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.deps.metrics.eventSent('polling', committedAt);
        this.settle(jsonText(framesBody(this.frames)));
      });
    }
  }

  protected sendSnapshot(frame: Outgoing): void {
    this.settle(jsonText(framesBody([frame.json])));
  }

  protected lost(): void {
    this.unavailable();
  }

  heartbeat(): void {
    // A held request answers its own heartbeat when the hold ends.
  }

  private answerHeartbeat(): void {
    const head = this.deps.hub.headOf(this.consultant.id) ?? this.cursor;
    this.settle(jsonText(framesBody([heartbeatJson(head, this.deps.clock.now())])));
  }

  shutdown(): void {
    // Still reading where the client stands, the poll has no position to name in a
    // heartbeat (one without an epoch is an invalid frame): the client asks again, of another
    // node or of this one once it is back.
    if (this.cursor.epoch) this.answerHeartbeat();
    else this.settle(errorResponse(busy('This server is stopping; retry shortly.')));
  }

  unavailable(): void {
    this.settle(errorResponse(busy('This server lost its database; reconnect')));
  }

  /** Answers (once) and unsubscribes. */
  settle(response: Response): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.holdTimer);
    if (this.expiryTimer) this.deps.clock.clearTimer(this.expiryTimer);
    this.deps.hub.remove(this);
    this.resolve(response);
  }
}

export async function longPollHandler(c: Context, deps: LongPollDeps): Promise<Response> {
  const principal = await authenticate(c, deps.auth);
  const { cursor, waitMs } = parseQuery(c);
  if (!deps.healthy()) throw busy('This server lost its database; nothing was read. Retry shortly.');
  const consultant = (await deps.consultants.get(principal.consultantId))!;
  const signal = c.req.raw.signal;
  // Subscribe first, then read: an event committed during the read is held, not missed.
  const poll = new HeldPoll(consultant, deps);
  const attached = await deps.feed.attach(poll, consultant, cursor);
  if (attached.frames.length > 0) {
    poll.settle(jsonText(framesBody(attached.frames.map((f) => f.json))));
    return poll.answer;
  }
  if (waitMs === 0 || signal.aborted || deps.clock.now() >= principal.expiresAt) {
    poll.settle(jsonText(framesBody([heartbeatJson(attached.head, deps.clock.now())])));
    return poll.answer;
  }
  // Events committed during the read go out now (they answer the poll at once).
  poll.open(attached.head);
  poll.hold(waitMs, principal.expiresAt, signal);
  return poll.answer;
}
