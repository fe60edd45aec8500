import type { Clock } from '../runtime.js';

interface Timer {
  readonly id: number;
  readonly due: number;
  readonly callback: () => void;
}

/**
 * A clock that moves only when the test says so. Network I/O stays real; every timeout,
 * backoff, watchdog and poll interval of the client runs on this instead of wall time.
 */
export class ManualClock implements Clock {
  #now: number;
  #timers: Timer[] = [];
  #nextId = 1;

  constructor(start = Date.now()) {
    this.#now = start;
  }

  now = (): number => this.#now;

  setTimeout = (callback: () => void, ms: number): number => {
    // As in browsers, a delay beyond a signed 32-bit integer of milliseconds fires at once.
    const delay = ms > 2 ** 31 - 1 ? 0 : Math.max(0, ms);
    const timer = { id: this.#nextId++, due: this.#now + delay, callback };
    this.#timers.push(timer);
    return timer.id;
  };

  clearTimeout = (handle: unknown): void => {
    this.#timers = this.#timers.filter((t) => t.id !== handle);
  };

  /** Timers waiting, soonest first (for diagnostics). */
  get pending(): number[] {
    return this.#timers.map((t) => t.due - this.#now).sort((a, b) => a - b);
  }

  /**
   * The machine sleeps for `ms`: the wall clock jumps, and no timer fires. With `timersPaused`
   * (Chromium on some systems, whatwg/html#6759) every timer is put off by as long, so each
   * fires when what was left of it has passed after waking; otherwise every timer due
   * meanwhile fires at once on waking (the next `advance`).
   */
  sleep(ms: number, timersPaused = true): void {
    this.#now += ms;
    if (timersPaused) this.#timers = this.#timers.map((t) => ({ ...t, due: t.due + ms }));
  }

  /** Moves time forward, firing due timers in order, letting promises settle after each. */
  async advance(ms: number): Promise<void> {
    const until = this.#now + ms;
    for (;;) {
      const next = this.#timers.filter((t) => t.due <= until).sort((a, b) => a.due - b.due || a.id - b.id)[0];
      if (!next) break;
      this.#timers = this.#timers.filter((t) => t !== next);
      this.#now = Math.max(this.#now, next.due);
      next.callback();
      await settle();
    }
    this.#now = until;
    await settle();
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}
