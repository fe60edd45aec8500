import type { Clock, Timers } from '../runtime.js';

/** How often the watchdog looks at the clock while frames come (see `createWatchdog`). */
export const WAKE_TICK_MS = 5_000;

/** Watches a connection for silence: the leader's own, or the leader's as a follower hears it. */
export interface Watchdog {
  /** A frame was heard now. */
  heard(): void;
  /** How long nothing has been heard. */
  quiet(): number;
}

/**
 * Runs `silent` once nothing has been heard for as long as the connection allows (`allowed`,
 * read when a frame is heard and when the timer runs, so it may change as the connection
 * does). It is not run again before the next frame.
 *
 * Frames do not touch the timers (a new timer per frame cost about a fifth of handling the
 * frame): each only records when it was heard. The silence timer, `watchdog` in `timers`, when
 * it runs, measures the silence since the last frame and waits again for what is left of it. A
 * connection that now allows less silence than the timer was set for (a climb from
 * long-polling to WebSocket) sets it again, sooner.
 *
 * Nothing tells a page that the machine woke from sleep, and some browsers pause timers
 * through the sleep (whatwg/html#6759): the silence timer would then run up to its whole wait
 * after waking, showing hours-old state as current meanwhile. So from a frame until the
 * silence is told (or the owner clears it, with the connection), `wake` looks at the clock
 * every WAKE_TICK_MS: a silence past what is allowed is told at once; a tick more than a step
 * late with frames heard since (a short sleep, a page that froze) runs `woke`, for the owner to
 * check the connection.
 */
export function createWatchdog(
  clock: Clock,
  { _pending: pending, _after: after, _clear: clear }: Timers<'watchdog' | 'wake'>,
  allowed: () => number,
  silent: () => void,
  woke?: () => void,
): Watchdog {
  /** When the last frame was heard, how much silence the timer was set for, and when the tick is due. */
  let heardAt = 0;
  let limit = 0;
  let due = 0;
  const quiet = (): number => {
    const now = clock.now();
    // A last frame in the future means the wall clock went back: count from now.
    heardAt = Math.min(heardAt, now);
    return now - heardAt;
  };
  const check = (): void => {
    const left = (limit = allowed()) - quiet();
    // Beyond 2^31 - 1 ms a browser fires a timer at once (a server's huge heartbeat): wait in steps.
    if (left > 0) return after('watchdog', Math.min(left, 2 ** 31 - 1), check);
    clear('watchdog', 'wake');
    silent();
  };
  const wake = (): void => {
    due = clock.now() + WAKE_TICK_MS;
    after('wake', WAKE_TICK_MS, tick);
  };
  const tick = (): void => {
    if (quiet() >= allowed()) return check();
    const late = clock.now() - due;
    wake();
    if (late > WAKE_TICK_MS) woke?.();
  };
  return {
    heard() {
      heardAt = clock.now();
      if (!('watchdog' in pending) || allowed() < limit) check();
      if (!('wake' in pending)) wake();
    },
    quiet,
  };
}
