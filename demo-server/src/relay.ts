/**
 * Which events reach this node's hub, and in what order: every committed event of every
 * consultant with subscribers here, each once, in seq order, whichever node committed it.
 *
 * For each such consultant the relay keeps the position it has delivered up to. An event
 * committed on this node whose seq follows that position is handed over at once, with no
 * database trip. Anything else (a signal from another node through LISTEN/NOTIFY, an event
 * that overtook another, a reset log) makes the relay read the log after its position and
 * deliver what it finds, in order. Signals carry only a pointer (consultant, epoch, seq);
 * the log is the truth, so a lost signal is made up by the next read: after the database
 * connection comes back, every followed consultant's log is read again.
 */
import type { EventLog, LogHead, OutEvent } from './db/eventlog.js';
import type { LogSignal, Storage } from './db/storage.js';
import type { Hub, HubWatcher } from './hub.js';

interface Follow {
  /** Delivered up to here; unknown until the first subscriber has read its position. */
  pos: LogHead | undefined;
  /** A read of the log is in progress. */
  pulling: boolean;
  /** Something arrived during the read: read again after it. */
  again: boolean;
  /** A signal came before the position was known. */
  dirty: boolean;
}

export class Relay implements HubWatcher {
  private readonly follows = new Map<string, Follow>();

  constructor(
    private readonly hub: Hub,
    private readonly storage: Storage,
    private readonly log: EventLog,
  ) {
    hub.watch(this);
  }

  followed(consultantId: string): void {
    if (!this.follows.has(consultantId)) {
      this.follows.set(consultantId, { pos: undefined, pulling: false, again: false, dirty: false });
    }
  }

  unfollowed(consultantId: string): void {
    this.follows.delete(consultantId);
  }

  caughtUp(consultantId: string, head: LogHead): void {
    const follow = this.follows.get(consultantId);
    if (!follow) return;
    if (!follow.pos) {
      // Subscribed before it read, so everything after `head` reaches it through here.
      follow.pos = head;
      if (follow.dirty) this.pull(consultantId);
    } else if (head.epoch !== follow.pos.epoch || head.seq > follow.pos.seq) {
      // The subscriber has seen a commit this node has not delivered yet: go and get it.
      this.pull(consultantId);
    }
  }

  /** An event committed on this node. */
  committed(event: OutEvent): void {
    const follow = this.follows.get(event.consultantId);
    if (!follow) return;
    const pos = follow.pos;
    if (pos && !follow.pulling && event.epoch === pos.epoch && event.seq === pos.seq + 1) {
      follow.pos = { epoch: event.epoch, seq: event.seq };
      this.hub.publish(event);
      return;
    }
    this.signal({ consultantId: event.consultantId, epoch: event.epoch, seq: event.seq, kind: event.kind });
  }

  /** A consultant's log grew or was reset, on this node or another. */
  signal(signal: LogSignal): void {
    const follow = this.follows.get(signal.consultantId);
    if (!follow) return;
    if (!follow.pos) {
      follow.dirty = true;
      return;
    }
    if (signal.kind !== 'reset' && signal.epoch === follow.pos.epoch && signal.seq <= follow.pos.seq) return;
    this.pull(signal.consultantId);
  }

  /** Signals may have been lost (the database connection was down): read every followed log. */
  resume(): void {
    for (const [consultantId, follow] of this.follows) {
      if (follow.pos) this.pull(consultantId);
      else follow.dirty = true;
    }
  }

  /** Reads the log after the delivered position and delivers what is there, in order. */
  private pull(consultantId: string): void {
    const follow = this.follows.get(consultantId);
    if (!follow?.pos) return;
    if (follow.pulling) {
      follow.again = true;
      return;
    }
    follow.pulling = true;
    void this.read(consultantId, follow).finally(() => (follow.pulling = false));
  }

  private async read(consultantId: string, follow: Follow): Promise<void> {
    try {
      do {
        follow.again = false;
        follow.dirty = false;
        const pos = follow.pos!;
        const events = await this.log.after(this.storage.sql, consultantId, pos.seq);
        if (this.follows.get(consultantId) !== follow) return; // nobody here listens any more
        let expected = pos.seq + 1;
        let broken = false;
        for (const event of events) {
          if (event.epoch !== pos.epoch || event.seq !== expected) {
            broken = true;
            break;
          }
          follow.pos = { epoch: event.epoch, seq: event.seq };
          this.hub.publish(event);
          expected++;
        }
        if (broken || events.length === 0) {
          // Nothing after our position: perhaps the log was reset (its old events are gone).
          // Another epoch, or a gap (events pruned before we read them): subscribers start
          // again from a snapshot.
          const head = await this.log.head(this.storage.sql, consultantId);
          if (this.follows.get(consultantId) !== follow) return;
          if (broken || head.epoch !== follow.pos!.epoch) {
            follow.pos = head;
            this.hub.reset(consultantId, head);
          }
        }
      } while (follow.again);
    } catch (error) {
      // The database did not answer; the next signal, or the connection coming back, reads again.
      follow.dirty = true;
      console.error(`reading the event log of ${consultantId} failed:`, (error as Error).message);
    }
  }
}
