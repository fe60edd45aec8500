/**
 * What every transport does on (re)connection: subscribe to live events first, then read
 * what the client's cursor needs (the retained events after it, or a snapshot), send that,
 * and only then pass on the live events that arrived meanwhile, dropping by seq those the
 * read already had. Reading takes a trip to the database while commits (on this node or
 * another) go on, so the order "subscribe, then read" is what guarantees that nothing falls
 * between the two; seq is law, so nothing is sent twice either.
 */
import type { Cursor } from '@fg/protocol';
import type { Clock } from './clock.js';
import type { ConsultantRow } from './db/consultants.js';
import type { EventLog, LogHead, OutEvent } from './db/eventlog.js';
import type { Storage } from './db/storage.js';
import type { Hub, Subscriber } from './hub.js';
import type { Projection } from './projection.js';

/** A frame to send: its JSON, and the cursor a client holds once it has applied it. */
export interface Outgoing {
  readonly type: 'event' | 'snapshot';
  readonly epoch: string;
  readonly seq: number;
  readonly json: string;
  /** For events: `performance.now()` after commit (or after the read, for a replay). */
  readonly committedAt?: number;
}

export interface Attached {
  head: LogHead;
  /** The resumed cursor, when a replay (possibly empty) continues the client's own log. */
  resumedFrom: Cursor | null;
  frames: Outgoing[];
}

export const fromEvent = (event: OutEvent): Outgoing => ({
  type: 'event',
  epoch: event.epoch,
  seq: event.seq,
  json: event.json,
  committedAt: event.committedAt,
});

export class Feed {
  constructor(
    private readonly storage: Storage,
    private readonly log: EventLog,
    private readonly projection: Projection,
    private readonly hub: Hub,
    private readonly clock: Clock,
  ) {}

  async snapshotFrame(consultant: ConsultantRow): Promise<Outgoing> {
    const snapshot = await this.projection.snapshot(consultant, this.clock.now());
    return {
      type: 'snapshot',
      epoch: snapshot.epoch,
      seq: snapshot.seq,
      json: JSON.stringify({ type: 'snapshot', ...snapshot }),
    };
  }

  /** What a client at `cursor` needs now, in one read transaction. */
  catchUp(consultant: ConsultantRow, cursor: Cursor | null): Promise<Attached> {
    return this.storage.read(async (tx): Promise<Attached> => {
      const now = this.clock.now();
      const plan = await this.log.plan(tx, consultant.id, cursor, now);
      if (plan.kind === 'snapshot') {
        const snapshot = await this.projection.snapshotIn(tx, consultant, now);
        const frame: Outgoing = {
          type: 'snapshot',
          epoch: snapshot.epoch,
          seq: snapshot.seq,
          json: JSON.stringify({ type: 'snapshot', ...snapshot }),
        };
        return { head: { epoch: snapshot.epoch, seq: snapshot.seq }, resumedFrom: null, frames: [frame] };
      }
      return { head: plan.head, resumedFrom: cursor, frames: plan.events.map(fromEvent) };
    });
  }

  /**
   * Subscribes `sub`, then reads what its client needs. Events arriving meanwhile wait in
   * `sub` (a `Stream`) until it has sent what this answers and calls `release`.
   */
  async attach(sub: Subscriber, consultant: ConsultantRow, cursor: Cursor | null): Promise<Attached> {
    this.hub.subscribe(sub);
    try {
      const attached = await this.catchUp(consultant, cursor);
      this.hub.caughtUp(consultant.id, attached.head);
      return attached;
    } catch (error) {
      this.hub.remove(sub);
      throw error;
    }
  }
}

/**
 * A subscriber that holds live events while it catches up (on connection, and when its
 * consultant's log was reset), then sends them in order, dropping by seq what its client
 * already has. Transports implement the sending.
 */
export abstract class Stream implements Subscriber {
  abstract readonly transport: Subscriber['transport'];
  /** Position the client holds once it applies what was sent; later duplicates are dropped. */
  protected cursor: LogHead = { epoch: '', seq: 0 };
  /** Events that arrived while catching up, or null when live. */
  private held: OutEvent[] | null = [];
  private resyncTo: LogHead | undefined;

  constructor(
    protected readonly feed: Feed,
    readonly consultant: ConsultantRow,
  ) {}

  get consultantId(): string {
    return this.consultant.id;
  }

  /** Whether the connection still takes frames. */
  protected abstract live(): boolean;
  /** Sends a live event (its seq follows the cursor). */
  protected abstract sendEvent(event: OutEvent): void;
  /** Sends a snapshot after a reset. */
  protected abstract sendSnapshot(frame: Outgoing): void;
  /** The database did not answer while catching up: end the connection. */
  protected abstract lost(error: unknown): void;
  abstract heartbeat(json: string): void;
  abstract oldestUnsent(): number | undefined;
  abstract shutdown(): void;
  abstract unavailable(): void;

  deliver(event: OutEvent): void {
    if (!this.live()) return;
    if (this.held) this.held.push(event);
    else this.forward(event);
  }

  private forward(event: OutEvent): void {
    if (event.epoch === this.cursor.epoch && event.seq <= this.cursor.seq) return;
    this.cursor = { epoch: event.epoch, seq: event.seq };
    this.sendEvent(event);
  }

  /**
   * Call once what `Feed.attach` answered is sent, with its head: the events that arrived
   * meanwhile go out, in order, after it.
   */
  open(head: LogHead): void {
    this.cursor = head;
    this.release();
  }

  private release(): void {
    if (this.resyncTo) {
      void this.resnapshot();
      return;
    }
    const held = this.held ?? [];
    this.held = null;
    for (const event of held) {
      if (!this.live()) return;
      this.forward(event);
    }
  }

  /** The consultant's log was reset (or could not be followed): a fresh snapshot, then live. */
  resync(head: LogHead): void {
    if (!this.live()) return;
    this.resyncTo = head;
    if (this.held) {
      // Catching up already: the snapshot follows once that is sent. Events of the old log
      // that were held will never apply.
      this.held = this.held.filter((event) => event.epoch === head.epoch);
      return;
    }
    this.held = [];
    void this.resnapshot();
  }

  private async resnapshot(): Promise<void> {
    this.resyncTo = undefined;
    let frame: Outgoing;
    try {
      frame = await this.feed.snapshotFrame(this.consultant);
    } catch (error) {
      this.lost(error);
      return;
    }
    if (!this.live()) return;
    this.cursor = { epoch: frame.epoch, seq: frame.seq };
    this.sendSnapshot(frame);
    this.release();
  }
}
