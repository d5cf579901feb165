/**
 * A sliding window of recent request latencies (ms) with percentiles, for statistics and for the
 * adaptive request timeout. Fixed memory: the oldest sample is overwritten.
 */
import type { Distribution } from '../engine/task.ts';

/** Recent latencies, ms; p50/p99/max over the last `capacity` samples. */
export class LatencyWindow {
  private readonly samples: number[] = [];
  private next = 0;
  private readonly capacity;
  private cached: Distribution | undefined;

  constructor(capacity = 256) {
    this.capacity = capacity;
  }

  /** Number of samples held (≤ capacity). */
  get size(): number {
    return this.samples.length;
  }

  /** Records one latency in ms. */
  add(latencyMs: number): void {
    if (this.samples.length < this.capacity) this.samples.push(latencyMs);
    else this.samples[this.next] = latencyMs;
    this.next = (this.next + 1) % this.capacity;
    this.cached = undefined;
  }

  /** p50, p99 and max of the window (all 0 when empty), rounded to 0.01 ms. */
  distribution(): Distribution {
    if (this.cached) return this.cached;
    if (this.samples.length === 0) return { p50: 0, p99: 0, max: 0 };
    const sorted = [...this.samples].sort((a, b) => a - b);
    const at = (q: number): number =>
      sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
    const round = (ms: number): number => Math.round(ms * 100) / 100;
    this.cached = { p50: round(at(0.5)), p99: round(at(0.99)), max: round(sorted[sorted.length - 1] ?? 0) };
    return this.cached;
  }
}
