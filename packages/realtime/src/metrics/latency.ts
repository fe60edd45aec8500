import type { LatencySummary } from '../types.js';

/** The store's own (named `_x`, as private members are, so the CDN bundle shortens them). */
export interface LatencyWindow {
  _record(ms: number): void;
  _summary(): LatencySummary;
}

/**
 * Percentiles over the most recent samples, in a fixed-size ring: a dashboard left open
 * for days records millions of events and must not grow with them.
 */
export function latencyWindow(size = 256): LatencyWindow {
  const samples = new Float64Array(size);
  let count = 0;
  let max = 0;
  return {
    _record(ms) {
      if (!Number.isFinite(ms)) return;
      // Clock-offset estimates can overshoot by a millisecond or two; negative latency means zero.
      const value = Math.max(0, ms);
      // The ring is full after `size` samples; each new one then replaces the oldest.
      samples[count++ % size] = value;
      max = Math.max(max, value);
    },
    _summary() {
      const filled = Math.min(count, size);
      const sorted = samples.slice(0, filled).sort();
      const at = (q: number) => (filled ? sorted[Math.min(filled - 1, Math.ceil(q * filled) - 1)]! : 0);
      return { count, p50: at(0.5), p95: at(0.95), p99: at(0.99), max };
    },
  };
}

/**
 * Server clock minus local clock. Each sample (server time minus local receive time) is
 * the true offset minus the one-way delay, so the largest recent sample is the best
 * estimate; keeping only recent ones follows a server clock that jumps. Returns the
 * function that takes a sample and answers the estimate (0 before any sample).
 */
export function clockOffset(size = 8): (sample?: number) => number {
  const samples: number[] = [];
  let count = 0;
  let estimate = 0;
  return (sample) => {
    if (sample !== undefined) {
      samples[count++ % size] = sample; // a ring, like the latency window's
      estimate = Math.max(...samples);
    }
    return estimate;
  };
}
