import type { Clock, Timers } from '../runtime.js';

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
 * Frames do not touch the timer (a new timer per frame cost about a fifth of handling the
 * frame): each only records when it was heard. The one timer, `watchdog` in `timers`, when it
 * runs, measures the silence since the last frame and waits again for what is left of it. A
 * connection that now allows less silence than the timer was set for (a climb from
 * long-polling to WebSocket) sets it again, sooner.
 */
export function createWatchdog(
  clock: Clock,
  { pending, after }: Pick<Timers<'watchdog'>, 'pending' | 'after'>,
  allowed: () => number,
  silent: () => void,
): Watchdog {
  /** When the last frame was heard, and how much silence the timer was set for. */
  let heardAt = 0;
  let limit = 0;
  const quiet = (): number => {
    const now = clock.now();
    // A last frame in the future means the wall clock went back: count from now.
    heardAt = Math.min(heardAt, now);
    return now - heardAt;
  };
  const check = (): void => {
    const left = (limit = allowed()) - quiet();
    if (left > 0) after('watchdog', left, check);
    else silent();
  };
  return {
    heard() {
      heardAt = clock.now();
      if (!('watchdog' in pending) || allowed() < limit) check();
    },
    quiet,
  };
}
