/**
 * Running statistics of grid-frequency samples: the window of one harvest (reset at each harvest) or
 * the samples of a snapshot. Exact min/max/mean without keeping the samples.
 */
import type { FrequencyWindow as ReadingFrequencyFields } from '../core/reading.ts';

/** Summary of a set of samples; min/max/mean absent when there were none. */
export interface FrequencyStats {
  count: number;
  minHz?: number;
  maxHz?: number;
  meanHz?: number;
}

/** Accumulates samples; `take()` returns the statistics and starts a new window. */
export class FrequencyWindow {
  private count = 0;
  private sumHz = 0;
  private minHz = Infinity;
  private maxHz = -Infinity;

  /** Adds one sample, Hz. Non-finite values are ignored (a decoder bug must not poison the mean). */
  add(hz: number): void {
    if (!Number.isFinite(hz)) return;
    this.count++;
    this.sumHz += hz;
    if (hz < this.minHz) this.minHz = hz;
    if (hz > this.maxHz) this.maxHz = hz;
  }

  /** The statistics so far. */
  stats(): FrequencyStats {
    if (this.count === 0) return { count: 0 };
    return {
      count: this.count,
      minHz: this.minHz,
      maxHz: this.maxHz,
      meanHz: round(this.sumHz / this.count),
    };
  }

  /** Returns the statistics and resets the window. */
  take(): FrequencyStats {
    const stats = this.stats();
    this.count = 0;
    this.sumHz = 0;
    this.minHz = Infinity;
    this.maxHz = -Infinity;
    return stats;
  }

  /** Statistics of a list of samples. */
  static of(samplesHz: Iterable<number>): FrequencyStats {
    const window = new FrequencyWindow();
    for (const hz of samplesHz) window.add(hz);
    return window.stats();
  }
}

/** The reading fields for a window: the count always, min/max/mean only when there were samples. */
export function toReadingFields(stats: FrequencyStats): ReadingFrequencyFields {
  const fields: ReadingFrequencyFields = { grid_frequency_samples: stats.count };
  if (stats.count > 0) {
    fields.grid_frequency_min_hz = stats.minHz;
    fields.grid_frequency_max_hz = stats.maxHz;
    fields.grid_frequency_mean_hz = stats.meanHz;
  }
  return fields;
}

/** Rounds a mean to 1 µHz so float-sum noise (…0000001) does not leak into signed payloads. */
function round(hz: number): number {
  return Math.round(hz * 1e6) / 1e6;
}
