/**
 * A sliding window of recent request latencies (ms) with percentiles, for statistics and for the
 * adaptive request timeout. Fixed memory: the oldest sample is overwritten.
 */
import type { Distribution } from '../engine/task.ts';

/** Recent latencies, ms; p50/p99/max over the last `capacity` samples. */
export class LatencyWindow {
  // A typed array: sorting it is a native numeric sort, no comparator calls (this runs per request).
  private readonly samples: Float64Array;
  private filled = 0;
  private next = 0;
  private readonly capacity;
  private cached: Distribution | undefined;

  constructor(capacity = 256) {
    this.capacity = capacity;
    this.samples = new Float64Array(capacity);
  }

  /** Number of samples held (≤ capacity). */
  get size(): number {
    return this.filled;
  }

  /** Records one latency in ms. */
  add(latencyMs: number): void {
    this.samples[this.next] = latencyMs;
    if (this.filled < this.capacity) this.filled++;
    this.next = (this.next + 1) % this.capacity;
    this.cached = undefined;
  }

  /** p50, p99 and max of the window (all 0 when empty), rounded to 0.01 ms. */
  distribution(): Distribution {
    if (this.cached) return this.cached;
    if (this.filled === 0) return { p50: 0, p99: 0, max: 0 };
    const sorted = this.samples.slice(0, this.filled).sort();
    const at = (q: number): number =>
      sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
    const round = (ms: number): number => Math.round(ms * 100) / 100;
    this.cached = { p50: round(at(0.5)), p99: round(at(0.99)), max: round(sorted[sorted.length - 1] ?? 0) };
    return this.cached;
  }
}
