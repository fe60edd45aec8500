/**
 * Time-driven changes, on the injected clock: a consultation starts at its start time and
 * completes at its end time, and each consultant's day (for "due today") and month (for
 * revenue) turns at their local midnight. One timer is armed for the earliest due item
 * only; three indexed "next due" queries find it. When the clock jumps past several due
 * items, they are processed one by one in time order, each as its own event.
 *
 * With several nodes only one runs the scheduler (the leader, see `Cluster.lead`). Each
 * item is also safe to process twice: its transaction locks the consultant's log and
 * checks the item is still due (a consultation still scheduled, a day not yet turned), so a
 * second attempt, during a change of leader, finds nothing to do and appends nothing.
 */
import type { Clock, TimerHandle } from './clock.js';
import type { Storage } from './db/storage.js';
import type { Domain } from './domain.js';
import { AppError } from './errors.js';

const isBusy = (error: unknown): boolean => error instanceof AppError && error.status === 503;
const isGone = (error: unknown): boolean => error instanceof AppError && error.status === 404;

type Due =
  | { kind: 'complete'; at: number; consultantId: string; id: string }
  | { kind: 'start'; at: number; consultantId: string; id: string }
  | { kind: 'day'; at: number; consultantId: string };

/** When the database is busy, due work is retried after this long. */
const RETRY_MS = 1000;

export class Scheduler {
  private timer: TimerHandle | undefined;
  private running: Promise<void> | undefined;
  private dirty = false;
  /** The timer is armed to try again after a failure. */
  private retrying = false;
  private stopped = true;

  constructor(
    private readonly storage: Storage,
    private readonly domain: Domain,
    private readonly clock: Clock,
  ) {}

  get active(): boolean {
    return !this.stopped;
  }

  /** Catches up on everything already due, then arms the timer; resolves once caught up. */
  start(): Promise<void> {
    if (!this.stopped) return this.idle();
    this.stopped = false;
    return this.run();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) this.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  /** Resolves when no run is in progress. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Something that may be due sooner was written (a booking, a reschedule): look again. */
  poke(): void {
    if (this.stopped) return;
    if (this.running) {
      this.dirty = true;
      return;
    }
    void this.run();
  }

  /** The earliest due item. Ties: completions, then starts, then calendar turns. */
  private async next(): Promise<Due | undefined> {
    const sql = this.storage.sql;
    type Row = { id: string; consultant_id: string; at: number };
    const end = await sql.get<Row>(
      "SELECT id, consultant_id, ends_at AS at FROM consultations WHERE status = 'active' ORDER BY ends_at, id LIMIT 1",
    );
    const start = await sql.get<Row>(
      "SELECT id, consultant_id, starts_at AS at FROM consultations WHERE status = 'scheduled' ORDER BY starts_at, id LIMIT 1",
    );
    const day = await sql.get<Omit<Row, 'id'>>(
      'SELECT consultant_id, next_day_at AS at FROM calendars ORDER BY next_day_at, consultant_id LIMIT 1',
    );
    const candidates: Due[] = [];
    if (end) candidates.push({ kind: 'complete', at: end.at, consultantId: end.consultant_id, id: end.id });
    if (start)
      candidates.push({ kind: 'start', at: start.at, consultantId: start.consultant_id, id: start.id });
    if (day) candidates.push({ kind: 'day', at: day.at, consultantId: day.consultant_id });
    let best: Due | undefined;
    for (const c of candidates) if (!best || c.at < best.at) best = c;
    return best;
  }

  private async process(due: Due): Promise<void> {
    try {
      if (due.kind === 'start')
        await this.domain.startConsultation(due.consultantId, due.id, { onTime: true });
      else if (due.kind === 'complete')
        await this.domain.completeConsultation(due.consultantId, due.id, { onTime: true });
      else await this.domain.rollCalendar(due.consultantId);
    } catch (error) {
      // Moved on meanwhile (started, cancelled or rescheduled, by hand or by another node): nothing due.
      if (!isGone(error)) throw error;
    }
  }

  /** Processes every item due by now, in time order, then arms one timer for the next. */
  private run(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.dirty = true;
      return this.idle();
    }
    const running = this.loop().finally(() => {
      if (this.running !== running) return;
      this.running = undefined;
      // Poked after the loop's last look (a booking committed meanwhile): look again, unless
      // a retry is armed for a database that did not answer.
      if (this.dirty && !this.retrying) void this.run();
    });
    this.running = running;
    return running;
  }

  private async loop(): Promise<void> {
    let retryAt: number | undefined;
    let nextAt: number | undefined;
    try {
      do {
        this.dirty = false;
        let previous = '';
        let due = await this.next();
        for (; due && due.at <= this.clock.now(); due = await this.next()) {
          if (this.stopped) return;
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
            await this.process(due);
          } catch (error) {
            // Busy or unreachable: nothing was written. Anything else is a bug; log it
            // rather than lose the timer. Either way, try again shortly.
            if (!isBusy(error)) console.error('scheduled work failed', error);
            retryAt = this.clock.now() + RETRY_MS;
            break;
          }
        }
        // The first item not due yet: what the timer waits for, unless something was written meanwhile.
        nextAt = due?.at;
      } while (this.dirty && retryAt === undefined);
    } catch (error) {
      // The database did not answer the "next due" queries.
      if (!isBusy(error)) console.error('scheduler failed', error);
      retryAt = this.clock.now() + RETRY_MS;
    }
    this.retrying = retryAt !== undefined;
    this.arm(retryAt ?? nextAt);
  }

  private arm(at: number | undefined): void {
    if (this.timer && this.timer.at === at) return;
    if (this.timer) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    if (at === undefined || this.stopped) return;
    // The timer answers the run: a manual clock holds still at this instant until it is done.
    this.timer = this.clock.setTimer(at, () => {
      this.timer = undefined;
      return this.run();
    });
  }
}
