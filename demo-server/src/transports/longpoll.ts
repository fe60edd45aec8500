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
import type { LogHead, OutEvent } from '../db/eventlog.js';
import type { ConsultantRow, Store } from '../db/store.js';
import { AppError, badRequest } from '../errors.js';
import type { Feed } from '../feed.js';
import { heartbeatJson, type Hub, type Subscriber } from '../hub.js';
import type { Metrics } from '../metrics.js';
import { authenticate, errorResponse, jsonText } from '../http/respond.js';

export interface LongPollDeps {
  auth: Auth;
  feed: Feed;
  hub: Hub;
  store: Store;
  clock: Clock;
  metrics: Metrics;
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

/** A held request: the first events to arrive (or the hold's end) answer it. */
class HeldPoll implements Subscriber {
  readonly transport = 'polling' as const;
  private readonly frames: string[] = [];
  private holdTimer: NodeJS.Timeout | undefined;
  private expiryTimer: TimerHandle | undefined;
  private flushScheduled = false;
  private settled = false;
  private cursor: LogHead;
  private oldest: number | undefined;

  constructor(
    private readonly consultant: ConsultantRow,
    head: LogHead,
    private readonly deps: LongPollDeps,
    private readonly resolve: (response: Response) => void,
  ) {
    this.cursor = head;
  }

  get consultantId(): string {
    return this.consultant.id;
  }

  oldestUnsent(): number | undefined {
    return this.oldest;
  }

  hold(waitMs: number, expiresAt: number, signal: AbortSignal): void {
    this.holdTimer = setTimeout(() => this.answerHeartbeat(), waitMs);
    this.expiryTimer = this.deps.clock.setTimer(expiresAt, () =>
      this.settle(errorResponse(new AppError(401, ErrorCode.authExpired, 'The token has expired'))),
    );
    signal.addEventListener('abort', () => this.settle(new Response(null, { status: 499 })), { once: true });
  }

  deliver(event: OutEvent): void {
    if (this.settled) return;
    if (event.epoch === this.cursor.epoch && event.seq <= this.cursor.seq) return;
    this.cursor = { epoch: event.epoch, seq: event.seq };
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

  heartbeat(): void {
    // A held request answers its own heartbeat when the hold ends.
  }

  resync(): void {
    if (this.settled) return;
    this.settle(jsonText(framesBody([this.deps.feed.snapshotFrame(this.consultant).json])));
  }

  private answerHeartbeat(): void {
    const head = this.deps.hub.headOf(this.consultant.id) ?? this.cursor;
    this.settle(jsonText(framesBody([heartbeatJson(head, this.deps.clock.now())])));
  }

  shutdown(): void {
    this.answerHeartbeat();
  }

  private settle(response: Response): void {
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
  const consultant = deps.store.consultant(principal.consultantId)!;
  const signal = c.req.raw.signal;
  // From here to the subscription everything is synchronous: no commit can slip between.
  const attached = deps.feed.catchUp(consultant, cursor);
  if (attached.frames.length > 0) {
    return jsonText(framesBody(attached.frames.map((f) => f.json)));
  }
  if (waitMs === 0 || signal.aborted || deps.clock.now() >= principal.expiresAt) {
    return jsonText(framesBody([heartbeatJson(attached.head, deps.clock.now())]));
  }
  return new Promise<Response>((resolve) => {
    const held = new HeldPoll(consultant, attached.head, deps, resolve);
    deps.hub.subscribe(held, attached.head);
    held.hold(waitMs, principal.expiresAt, signal);
  });
}
