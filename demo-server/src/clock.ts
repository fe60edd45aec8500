/**
 * The server's notion of time. Everything time-driven in the domain (event `at`, token
 * expiry, consultations starting and ending, a consultant's day and month turning) reads
 * this clock, so tests and demos can move time by hand instead of waiting for it.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Runs `fn` once when the clock reaches `at` (ms since the epoch); at once-ish if `at` is past. */
  setTimer(at: number, fn: () => void): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

export interface TimerHandle {
  readonly at: number;
}

/** Node's timers overflow above 2^31-1 ms (about 24.8 days); longer waits are chained. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

interface SystemTimer extends TimerHandle {
  timeout: NodeJS.Timeout | undefined;
}

export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }

  setTimer(at: number, fn: () => void): TimerHandle {
    const timer: SystemTimer = { at, timeout: undefined };
    const arm = (): void => {
      const delay = at - Date.now();
      if (delay > MAX_TIMEOUT_MS) {
        timer.timeout = setTimeout(arm, MAX_TIMEOUT_MS);
      } else {
        timer.timeout = setTimeout(fn, Math.max(0, delay));
      }
      // Domain timers never keep the process alive on their own: shutdown closes them anyway.
      timer.timeout.unref();
    };
    arm();
    return timer;
  }

  clearTimer(handle: TimerHandle): void {
    clearTimeout((handle as SystemTimer).timeout);
  }
}

interface ManualTimer extends TimerHandle {
  readonly order: number;
  readonly fn: () => void;
  cancelled: boolean;
}

/**
 * A clock that only moves when told to. `advance` and `set` fire every timer that falls due
 * on the way, in time order (ties in the order they were set), each with `now()` equal to
 * its own due time, so time-driven work sees exactly the instant it was scheduled for.
 * Timers set by a firing timer are honoured in the same move when they fall inside it.
 */
export class ManualClock implements Clock {
  private current: number;
  private timers: ManualTimer[] = [];
  private counter = 0;

  constructor(start: number = Date.now()) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimer(at: number, fn: () => void): TimerHandle {
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

  /** Moves time forward by `ms`, firing due timers in order. */
  advance(ms: number): number {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('advance needs a finite, non-negative ms');
    return this.set(this.current + ms);
  }

  /**
   * Moves time to `target`. Going backwards fires nothing (timers keep their absolute due
   * times); going forwards fires everything due up to and including `target`.
   */
  set(target: number): number {
    if (!Number.isFinite(target)) throw new RangeError('set needs a finite time');
    for (;;) {
      const next = this.timers[0];
      if (!next || next.at > target) break;
      this.timers.shift();
      if (next.cancelled) continue;
      this.current = Math.max(this.current, next.at);
      next.fn();
    }
    this.current = target;
    return this.current;
  }

  /** Number of pending timers (for tests of the "one timer" rule). */
  pending(): number {
    return this.timers.length;
  }
}

export const isManualClock = (clock: Clock): clock is ManualClock => clock instanceof ManualClock;
