/**
 * What every transport does on (re)connection: read what the client's cursor needs (the
 * retained events after it, or a snapshot) and, for streaming transports, subscribe to
 * live events, in one synchronous step. better-sqlite3 is synchronous and commits notify
 * the hub synchronously, so no event can fall between the read and the subscription.
 */
import type { Cursor } from '@fg/protocol';
import type { Clock } from './clock.js';
import type { EventLog, LogHead, OutEvent } from './db/eventlog.js';
import type { ConsultantRow, Store } from './db/store.js';
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
    private readonly store: Store,
    private readonly log: EventLog,
    private readonly projection: Projection,
    private readonly hub: Hub,
    private readonly clock: Clock,
  ) {}

  snapshotFrame(consultant: ConsultantRow): Outgoing {
    const snapshot = this.projection.snapshot(consultant, this.clock.now());
    return {
      type: 'snapshot',
      epoch: snapshot.epoch,
      seq: snapshot.seq,
      json: JSON.stringify({ type: 'snapshot', ...snapshot }),
    };
  }

  /** What a client at `cursor` needs now, in one read transaction. */
  catchUp(consultant: ConsultantRow, cursor: Cursor | null): Attached {
    return this.store.read(() => {
      const plan = this.log.plan(consultant.id, cursor, this.clock.now());
      if (plan.kind === 'snapshot') {
        const snapshot = this.snapshotFrame(consultant);
        return { head: { epoch: snapshot.epoch, seq: snapshot.seq }, resumedFrom: null, frames: [snapshot] };
      }
      return { head: plan.head, resumedFrom: cursor, frames: plan.events.map(fromEvent) };
    });
  }

  /** `catchUp` and subscribe `sub` at the position read, with nothing in between. */
  attach(sub: Subscriber, consultant: ConsultantRow, cursor: Cursor | null): Attached {
    const attached = this.catchUp(consultant, cursor);
    this.hub.subscribe(sub, attached.head);
    return attached;
  }
}
