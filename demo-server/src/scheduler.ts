/**
 * Time-driven changes, on the injected clock: a consultation starts at its start time and
 * completes at its end time, and each consultant's day (for "due today") and month (for
 * revenue) turns at their local midnight. One timer is armed for the earliest due item
 * only; three indexed "next due" queries find it. When the clock jumps past several due
 * items, they are processed one by one in time order, each as its own event.
 */
import type Database from 'better-sqlite3';
import type { Clock, TimerHandle } from './clock.js';
import type { Store } from './db/store.js';
import type { Domain } from './domain.js';
import { AppError, isBusyError } from './errors.js';

const isBusy = (error: unknown): boolean =>
  isBusyError(error) || (error instanceof AppError && error.status === 503);

type Due =
  | { kind: 'complete'; at: number; consultantId: string; id: string }
  | { kind: 'start'; at: number; consultantId: string; id: string }
  | { kind: 'day'; at: number; consultantId: string };

/** When the database is busy, due work is retried after this long. */
const RETRY_MS = 1000;

export class Scheduler {
  private timer: TimerHandle | undefined;
  private running = false;
  private dirty = false;
  private stopped = true;
  private readonly q: {
    nextStart: Database.Statement<[], { id: string; consultant_id: string; at: number }>;
    nextEnd: Database.Statement<[], { id: string; consultant_id: string; at: number }>;
    nextDay: Database.Statement<[], { consultant_id: string; at: number }>;
  };

  constructor(
    store: Store,
    private readonly domain: Domain,
    private readonly clock: Clock,
  ) {
    const db = store.db;
    this.q = {
      nextStart: db.prepare(
        "SELECT id, consultant_id, starts_at AS at FROM consultations WHERE status = 'scheduled' ORDER BY starts_at, id LIMIT 1",
      ),
      nextEnd: db.prepare(
        "SELECT id, consultant_id, ends_at AS at FROM consultations WHERE status = 'active' ORDER BY ends_at, id LIMIT 1",
      ),
      nextDay: db.prepare(
        'SELECT consultant_id, next_day_at AS at FROM calendars ORDER BY next_day_at LIMIT 1',
      ),
    };
  }

  /** Catches up on everything already due, then arms the timer. */
  start(): void {
    this.stopped = false;
    this.run();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) this.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  /** Something that may be due sooner was written (a booking, a reschedule): look again. */
  poke(): void {
    if (this.stopped) return;
    if (this.running) {
      this.dirty = true;
      return;
    }
    this.run();
  }

  /** The earliest due item. Ties: completions, then starts, then calendar turns. */
  private next(): Due | undefined {
    const end = this.q.nextEnd.get();
    const start = this.q.nextStart.get();
    const day = this.q.nextDay.get();
    const candidates: Due[] = [];
    if (end) candidates.push({ kind: 'complete', at: end.at, consultantId: end.consultant_id, id: end.id });
    if (start)
      candidates.push({ kind: 'start', at: start.at, consultantId: start.consultant_id, id: start.id });
    if (day) candidates.push({ kind: 'day', at: day.at, consultantId: day.consultant_id });
    let best: Due | undefined;
    for (const c of candidates) if (!best || c.at < best.at) best = c;
    return best;
  }

  private process(due: Due): void {
    if (due.kind === 'start') this.domain.startConsultation(due.consultantId, due.id);
    else if (due.kind === 'complete') this.domain.completeConsultation(due.consultantId, due.id);
    else this.domain.rollCalendar(due.consultantId);
  }

  /** Processes every item due by now, in time order, then arms one timer for the next. */
  private run(): void {
    if (this.stopped) return;
    this.running = true;
    let retryAt: number | undefined;
    try {
      do {
        this.dirty = false;
        let previous = '';
        for (let due = this.next(); due && due.at <= this.clock.now(); due = this.next()) {
          // Processing an item always moves it on (a status changes, a day turns). The same
          // item twice in a row would loop forever: stop and look again later instead.
          const key = JSON.stringify(due);
          if (key === previous) {
            console.error('scheduled work did not advance', key);
            retryAt = this.clock.now() + RETRY_MS;
            break;
          }
          previous = key;
          try {
            this.process(due);
          } catch (error) {
            // Busy: another process holds the lock and nothing was written. Anything else is
            // a bug; log it rather than lose the timer. Either way, try again shortly.
            if (!isBusy(error)) console.error('scheduled work failed', error);
            retryAt = this.clock.now() + RETRY_MS;
            break;
          }
        }
      } while (this.dirty && retryAt === undefined);
    } finally {
      this.running = false;
    }
    this.arm(retryAt ?? this.next()?.at);
  }

  private arm(at: number | undefined): void {
    if (this.timer && this.timer.at === at) return;
    if (this.timer) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    if (at === undefined || this.stopped) return;
    this.timer = this.clock.setTimer(at, () => {
      this.timer = undefined;
      this.run();
    });
  }
}
