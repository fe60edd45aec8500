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
 *
 * A read that fails (the pool has no connection to give, the query times out) is tried
 * again on its own, after a wait that doubles from RETRY_FIRST_MS up to RETRY_MAX_MS, until
 * one works: nothing else may come to read that log (no further commit, no lost
 * connection), and its subscribers' heartbeats still carry the last position delivered, so
 * their clients would never notice they had fallen behind. One line is logged when reads
 * start failing and one when they all work again, not one per attempt.
 */
import type { Clock, TimerHandle } from './clock.js';
import type { EventLog, LogHead, OutEvent } from './db/eventlog.js';
import type { LogSignal, Storage } from './db/storage.js';
import type { Hub, HubWatcher } from './hub.js';

interface Follow {
  /** Delivered up to here; unknown until the first subscriber has read its position. */
  pos: LogHead | undefined;
  /**
   * The first position known. Events up to it were published to nobody here: they came while
   * the relay did not know where to start.
   */
  start: LogHead | undefined;
  /** A read of the log is in progress. */
  pulling: boolean;
  /** Something arrived during the read: read again after it. */
  again: boolean;
  /** A signal came before the position was known. */
  dirty: boolean;
  /** Reads that failed in a row; 0 once one works. */
  failures: number;
  /** The next attempt after a failed read, while one is due. */
  retry: TimerHandle | undefined;
}

/** The wait before reading again after a first failed read; it doubles with each failure... */
const RETRY_FIRST_MS = 100;
/** ...up to this. */
const RETRY_MAX_MS = 5_000;

function retryDelay(failures: number): number {
  return Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** Math.min(failures - 1, 16));
}

export class Relay implements HubWatcher {
  private readonly follows = new Map<string, Follow>();
  /** Consultants whose last read failed: the current incident, if not empty. */
  private readonly failing = new Set<string>();
  /** Consultants whose reads failed since the incident began. */
  private affected = 0;
  private closed = false;

  /**
   * `timers` schedules the attempts after a failed read. They are for the database, not
   * the domain, so the server gives real time here even when its domain clock is manual;
   * tests give a manual clock to move by hand.
   */
  constructor(
    private readonly hub: Hub,
    private readonly storage: Storage,
    private readonly log: EventLog,
    private readonly timers: Clock,
  ) {
    hub.watch(this);
  }

  followed(consultantId: string): void {
    if (!this.follows.has(consultantId)) {
      this.follows.set(consultantId, {
        pos: undefined,
        start: undefined,
        pulling: false,
        again: false,
        dirty: false,
        failures: 0,
        retry: undefined,
      });
    }
  }

  unfollowed(consultantId: string): void {
    const follow = this.follows.get(consultantId);
    if (!follow) return;
    this.follows.delete(consultantId);
    this.cancelRetry(follow);
    this.failing.delete(consultantId);
  }

  /** The server is stopping: no further attempt is made, and none is left scheduled. */
  close(): void {
    this.closed = true;
    for (const follow of this.follows.values()) this.cancelRetry(follow);
    this.failing.clear();
  }

  caughtUp(consultantId: string, head: LogHead): void {
    const follow = this.follows.get(consultantId);
    if (!follow) return;
    if (!follow.pos) {
      // Subscribed before it read, so everything after `head` reaches it through here.
      follow.pos = head;
      follow.start = head;
      if (follow.dirty) this.pull(consultantId);
    } else if (head.epoch !== follow.pos.epoch || head.seq > follow.pos.seq) {
      // The subscriber has seen a commit this node has not delivered yet: go and get it.
      this.pull(consultantId);
    } else if (
      head.seq < follow.pos.seq &&
      head.epoch === follow.start!.epoch &&
      head.seq < follow.start!.seq
    ) {
      // Another subscriber's read answered first and set the position past this one's head,
      // over events published to nobody: go back to its head and publish from there again
      // (those who have them drop them by seq). A head at or after `start` needs nothing: every
      // later event reached the subscriber once it had subscribed, or its read would have seen it.
      follow.pos = head;
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

  /**
   * Reads the log after the delivered position and delivers what is there, in order.
   * Answers the read it starts, if it starts one.
   */
  private pull(consultantId: string): Promise<void> | undefined {
    const follow = this.follows.get(consultantId);
    if (!follow?.pos || this.closed) return undefined;
    if (follow.pulling) {
      follow.again = true;
      return undefined;
    }
    follow.pulling = true;
    return this.read(consultantId, follow).finally(() => (follow.pulling = false));
  }

  private async read(consultantId: string, follow: Follow): Promise<void> {
    try {
      do {
        follow.again = false;
        follow.dirty = false;
        const pos = follow.pos!;
        const events = await this.log.after(this.storage.sql, consultantId, pos.seq);
        if (this.follows.get(consultantId) !== follow) return; // nobody here listens any more
        // Where this read has delivered up to. Should the position be set back meanwhile
        // (`caughtUp`), this read publishes nothing more and the loop goes round again (setting
        // it back asked for another read): events must go out from the new position, in order.
        let at = pos;
        let expected = pos.seq + 1;
        let broken = false;
        for (const event of events) {
          if (follow.pos !== at) break;
          if (event.epoch !== pos.epoch || event.seq !== expected) {
            broken = true;
            break;
          }
          at = follow.pos = { epoch: event.epoch, seq: event.seq };
          this.hub.publish(event);
          expected++;
        }
        if (follow.pos !== at) continue;
        if (broken || events.length === 0) {
          // Nothing after our position: perhaps the log was reset (its old events are gone).
          // Another epoch, or a gap (events pruned before we read them): subscribers start
          // again from a snapshot.
          const head = await this.log.head(this.storage.sql, consultantId);
          if (this.follows.get(consultantId) !== follow) return;
          if (follow.pos !== at) continue;
          if (broken || head.epoch !== follow.pos!.epoch) {
            follow.pos = head;
            this.hub.reset(consultantId, head);
          }
        }
      } while (follow.again);
    } catch (error) {
      this.failed(consultantId, follow, error);
      return;
    }
    this.worked(consultantId, follow);
  }

  /** The database did not answer: read again later, whether or not anything else asks to. */
  private failed(consultantId: string, follow: Follow, error: unknown): void {
    if (this.closed || this.follows.get(consultantId) !== follow) return;
    follow.failures++;
    if (!this.failing.has(consultantId)) {
      if (this.failing.size === 0) {
        this.affected = 0;
        console.error(
          `reading the event log of ${consultantId} failed (${(error as Error).message});` +
            ' reads that fail are tried again until they work',
        );
      }
      this.failing.add(consultantId);
      this.affected++;
    }
    // One attempt scheduled at a time: a read that failed while one was due pushes it back.
    this.cancelRetry(follow);
    follow.retry = this.timers.setTimer(this.timers.now() + retryDelay(follow.failures), () => {
      follow.retry = undefined;
      return this.pull(consultantId);
    });
  }

  private worked(consultantId: string, follow: Follow): void {
    if (follow.failures === 0) return;
    follow.failures = 0;
    // Read by another path (a signal, the connection coming back) before the attempt was due.
    this.cancelRetry(follow);
    if (this.failing.delete(consultantId) && this.failing.size === 0) {
      console.log(`reading the event log works again (${this.affected} consultant(s) had fallen behind)`);
    }
  }

  private cancelRetry(follow: Follow): void {
    if (follow.retry) this.timers.clearTimer(follow.retry);
    follow.retry = undefined;
  }
}
