/** Reconnect delays: full jitter, so a server restart is not met by every client at the same instant. */
export const BACKOFF_BASE_MS = 500;
export const BACKOFF_MAX_MS = 20_000;

/** Delay before retry number `failures` (0 for the first retry): uniform in [0, min(max, base * 2^failures)). */
export function fullJitter(
  failures: number,
  random: () => number,
  base = BACKOFF_BASE_MS,
  max = BACKOFF_MAX_MS,
) {
  const ceiling = Math.min(max, base * 2 ** Math.min(failures, 16));
  return Math.floor(random() * ceiling);
}
