/**
 * Per-kind task statistics: counters plus start lag and duration over a sliding window of recent runs.
 * Samples go into fixed ring buffers (no allocation per run); percentiles are computed on demand.
 */
import type { Distribution, TaskKindStats } from './task.ts';

/** Default number of recent runs the lag and duration percentiles cover. */
export const DEFAULT_STATS_WINDOW = 1024;

/** A fixed-size ring of numbers; the oldest sample is overwritten once full. */
export class SampleWindow {
  private readonly samples: Float64Array;
  private next = 0;
  readonly size: number;
  private filled = 0;

  constructor(size: number) {
    this.size = size;
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError(`statsWindow ${size}: must be an integer ≥ 1`);
    this.samples = new Float64Array(size);
  }

  add(value: number): void {
    this.samples[this.next] = value;
    this.next = (this.next + 1) % this.size;
    if (this.filled < this.size) this.filled++;
  }

  get count(): number {
    return this.filled;
  }

  /** p50, p99 (nearest rank) and max of the samples in the window; zeros when empty. */
  distribution(): Distribution {
    if (this.filled === 0) return { p50: 0, p99: 0, max: 0 };
    const sorted = this.samples.slice(0, this.filled).sort();
    return { p50: nearestRank(sorted, 50), p99: nearestRank(sorted, 99), max: sorted[sorted.length - 1]! };
  }
}

/** The nearest-rank percentile of an ascending array: the smallest value with ≥ p % of samples at or below it. */
export function nearestRank(sorted: ArrayLike<number>, percent: number): number {
  const rank = Math.max(1, Math.ceil((percent / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/** Counters and windows of one task kind. */
export class TaskStats {
  runs = 0;
  failures = 0;
  overruns = 0;
  private readonly lag: SampleWindow;
  private readonly duration: SampleWindow;

  constructor(windowSize = DEFAULT_STATS_WINDOW) {
    this.lag = new SampleWindow(windowSize);
    this.duration = new SampleWindow(windowSize);
  }

  /** Records one finished run (successful or not). */
  recordRun(lagMs: number, durationMs: number, failed: boolean): void {
    this.runs++;
    if (failed) this.failures++;
    this.lag.add(lagMs);
    this.duration.add(durationMs);
  }

  /** Records slots skipped because the previous run had not finished. */
  recordOverruns(count: number): void {
    this.overruns += count;
  }

  snapshot(): TaskKindStats {
    return {
      runs: this.runs,
      failures: this.failures,
      overruns: this.overruns,
      lagMs: this.lag.distribution(),
      durationMs: this.duration.distribution(),
    };
  }
}
