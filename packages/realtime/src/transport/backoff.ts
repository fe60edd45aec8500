/** Reconnect delays: full jitter, so a server restart is not met by every client at the same instant. */
export const BACKOFF_BASE_MS = 500;
export const BACKOFF_MAX_MS = 20_000;

/** The longest delay after `failures` failures: `base`, doubled per failure, up to `max`. */
export const backoffCeiling = (failures: number, base: number, max: number): number =>
  Math.min(max, base * 2 ** Math.min(failures, 16));

/** A server's Retry-After is honoured up to this, whatever it says. */
export const RETRY_AFTER_MAX_MS = 5 * 60_000;

/**
 * How long a `Retry-After` header asks to wait, in ms: delay-seconds, or an HTTP-date against
 * `now` (the server's clock); 0 for none or one that cannot be read; at most RETRY_AFTER_MAX_MS.
 */
export const retryAfterMs = (value: string | null | undefined, now: number): number =>
  Math.min(RETRY_AFTER_MAX_MS, Math.max(0, Number(value) * 1000 || Date.parse(value!) - now || 0));

/** Delay before retry number `failures` (0 for the first retry): uniform in [0, min(max, base * 2^failures)). */
export const fullJitter = (failures: number, random: () => number): number =>
  Math.floor(random() * backoffCeiling(failures, BACKOFF_BASE_MS, BACKOFF_MAX_MS));
