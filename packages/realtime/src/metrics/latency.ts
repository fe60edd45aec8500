import type { LatencySummary } from '../types.js';

/**
 * Percentiles over the most recent samples, in a fixed-size ring: a dashboard left open
 * for days records millions of events and must not grow with them.
 */
export class LatencyWindow {
  readonly #samples: Float64Array;
  #next = 0;
  #filled = 0;
  #count = 0;
  #max = 0;

  constructor(size = 256) {
    this.#samples = new Float64Array(size);
  }

  record(ms: number): void {
    if (!Number.isFinite(ms)) return;
    // Clock-offset estimates can overshoot by a millisecond or two; negative latency means zero.
    const value = Math.max(0, ms);
    this.#samples[this.#next] = value;
    this.#next = (this.#next + 1) % this.#samples.length;
    this.#filled = Math.min(this.#filled + 1, this.#samples.length);
    this.#count += 1;
    if (value > this.#max) this.#max = value;
  }

  summary(): LatencySummary {
    if (this.#filled === 0) return { count: 0, p50: 0, p95: 0, p99: 0, max: 0 };
    const sorted = this.#samples.slice(0, this.#filled).sort();
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
    return { count: this.#count, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: this.#max };
  }
}

/**
 * Server clock minus local clock. Each sample (server time minus local receive time) is
 * the true offset minus the one-way delay, so the largest recent sample is the best
 * estimate; keeping only recent ones follows a server clock that jumps.
 */
export class ClockOffset {
  readonly #samples: number[] = [];
  #estimate = 0;

  constructor(private readonly size = 8) {}

  sample(serverTime: number, localTime: number): void {
    this.#samples.push(serverTime - localTime);
    if (this.#samples.length > this.size) this.#samples.shift();
    this.#estimate = Math.max(...this.#samples);
  }

  get ms(): number {
    return this.#estimate;
  }
}
