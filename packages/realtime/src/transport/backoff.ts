/** Reconnect delays: full jitter, so a server restart is not met by every client at the same instant. */
export const BACKOFF_BASE_MS = 500;
export const BACKOFF_MAX_MS = 20_000;

/** The longest delay after `failures` failures: `base`, doubled per failure, up to `max`. */
export const backoffCeiling = (failures: number, base: number, max: number): number =>
  Math.min(max, base * 2 ** Math.min(failures, 16));

/** Delay before retry number `failures` (0 for the first retry): uniform in [0, min(max, base * 2^failures)). */
export const fullJitter = (failures: number, random: () => number): number =>
  Math.floor(random() * backoffCeiling(failures, BACKOFF_BASE_MS, BACKOFF_MAX_MS));
