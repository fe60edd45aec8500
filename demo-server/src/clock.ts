/**
 * The server's notion of time. Everything time-driven in the domain (event `at`, token
 * expiry, consultations starting and ending, a consultant's day and month turning) reads
 * this clock, so tests and demos can move time by hand instead of waiting for it.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /**
   * Runs `fn` once when the clock reaches `at` (ms since the epoch); at once-ish if `at` is
   * past. `fn` may answer a promise (work that takes trips to the database).
   */
  setTimer(at: number, fn: () => unknown): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

export interface TimerHandle {
  readonly at: number;
}

/**
 * A wait is measured again against the wall clock at least this often: timers run on the
 * machine's monotonic time, so a wall clock stepped (by NTP, or across a suspended machine)
 * would otherwise move a consultant's midnight or a consultation's start by the step.
 */
const RECHECK_MS = 60_000;

interface SystemTimer extends TimerHandle {
  timeout: NodeJS.Timeout | undefined;
}

export class SystemClock implements Clock {
  /** `wall`: the wall clock (tests step it; timers keep to the machine's own time). */
  constructor(private readonly wall: () => number = Date.now) {}

  now(): number {
    return this.wall();
  }

  setTimer(at: number, fn: () => unknown): TimerHandle {
    const timer: SystemTimer = { at, timeout: undefined };
    const wait = (): void => {
      timer.timeout = setTimeout(due, Math.min(Math.max(0, at - this.now()), RECHECK_MS));
      // Domain timers never keep the process alive on their own: shutdown closes them anyway.
      timer.timeout.unref();
    };
    const due = (): unknown => (this.now() < at ? wait() : fn());
    wait();
    return timer;
  }

  clearTimer(handle: TimerHandle): void {
    clearTimeout((handle as SystemTimer).timeout);
  }
}

interface ManualTimer extends TimerHandle {
  readonly order: number;
  readonly fn: () => unknown;
  cancelled: boolean;
}

const isPromise = (value: unknown): value is Promise<unknown> =>
  typeof (value as { then?: unknown } | null)?.then === 'function';

/**
 * A clock that only moves when told to. `advance` and `set` fire every timer that falls due
 * on the way, in time order (ties in the order they were set), each with `now()` equal to
 * its own due time, so time-driven work sees exactly the instant it was scheduled for.
 * Timers set by a firing timer are honoured in the same move when they fall inside it.
 *
 * A timer that answers a promise holds the clock at its instant until the promise settles;
 * the move then goes on. `settled()` resolves when every move asked for is done. Moves asked
 * for meanwhile happen after, in order.
 */
export class ManualClock implements Clock {
  private current: number;
  /** Where the last move asked for ends. */
  private destination: number;
  private timers: ManualTimer[] = [];
  private counter = 0;
  private moving: Promise<void> | undefined;

  constructor(start: number = Date.now()) {
    this.current = start;
    this.destination = start;
  }

  now(): number {
    return this.current;
  }

  setTimer(at: number, fn: () => unknown): TimerHandle {
    const timer: ManualTimer = { at, fn, order: this.counter++, cancelled: false };
    // Keep the list sorted by (at, order) with a binary insert: due timers come off the front.
    let lo = 0;
    let hi = this.timers.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timers[mid]!.at <= at) lo = mid + 1;
      else hi = mid;
    }
    this.timers.splice(lo, 0, timer);
    return timer;
  }

  clearTimer(handle: TimerHandle): void {
    const timer = handle as ManualTimer;
    timer.cancelled = true;
    const index = this.timers.indexOf(timer);
    if (index >= 0) this.timers.splice(index, 1);
  }

  /** Moves time forward by `ms`, firing due timers in order. Answers where the move ends. */
  advance(ms: number): number {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('advance needs a finite, non-negative ms');
    return this.set(this.destination + ms);
  }

  /**
   * Moves time to `target`. Going backwards fires nothing (timers keep their absolute due
   * times); going forwards fires everything due up to and including `target`. Answers
   * `target`; `now()` reaches it once the timers that answered promises have settled.
   */
  set(target: number): number {
    if (!Number.isFinite(target)) throw new RangeError('set needs a finite time');
    this.destination = target;
    const pending = this.moving ? this.moving.then(() => this.move(target)) : this.move(target);
    if (pending) {
      const tracked: Promise<void> = pending.finally(() => {
        if (this.moving === tracked) this.moving = undefined;
      });
      this.moving = tracked;
    }
    return target;
  }

  /** Resolves when every move asked for so far is complete. */
  async settled(): Promise<void> {
    while (this.moving) await this.moving;
  }

  private move(target: number): Promise<void> | undefined {
    for (;;) {
      const next = this.timers[0];
      if (!next || next.at > target) break;
      this.timers.shift();
      if (next.cancelled) continue;
      this.current = Math.max(this.current, next.at);
      const result = next.fn();
      if (isPromise(result)) {
        return result.then(
          () => this.move(target),
          (error: unknown) => {
            console.error('timer failed', error);
            return this.move(target);
          },
        );
      }
    }
    this.current = target;
    return undefined;
  }

  /** Number of pending timers (for tests of the "one timer" rule). */
  pending(): number {
    return this.timers.length;
  }
}

export const isManualClock = (clock: Clock): clock is ManualClock => clock instanceof ManualClock;
