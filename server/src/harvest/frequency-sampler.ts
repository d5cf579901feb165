/**
 * The 10 Hz path of one device: keeps recent grid-frequency samples in a ring buffer (for the API's
 * snapshot) and the running statistics of the current harvest window.
 */
import { FrequencyWindow, type FrequencyStats } from './frequency-window.ts';
import { RingBuffer } from './ring-buffer.ts';

/** One grid-frequency sample: wall-clock ms when its read started, and the value in Hz. */
export interface FrequencySample {
  ts: number;
  hz: number;
}

/** Recent 10 Hz samples of one device and their statistics. */
export interface FrequencySnapshot {
  device: string;
  samples: { ts: number; hz: number }[];
  stats: { count: number; minHz?: number; maxHz?: number; meanHz?: number };
}

/** Samples of one device. */
export class FrequencySampler {
  private readonly recent: RingBuffer<FrequencySample>;
  private readonly window = new FrequencyWindow();

  readonly device: string;
  /**
   * @param device device id the samples belong to
   * @param capacity samples kept for snapshots (default 600: one minute at 10 Hz)
   */
  constructor(device: string, capacity = 600) {
    this.device = device;
    this.recent = new RingBuffer(capacity);
  }

  /** Records one sample. */
  add(sample: FrequencySample): void {
    this.recent.push(sample);
    this.window.add(sample.hz);
  }

  /** Statistics of the samples since the last call, and starts a new window (one per harvest). */
  takeWindow(): FrequencyStats {
    return this.window.take();
  }

  /** The newest `limit` samples (default: all kept) and their statistics. */
  snapshot(limit?: number): FrequencySnapshot {
    const samples = this.recent.toArray(limit);
    return {
      device: this.device,
      samples,
      stats: FrequencyWindow.of(samples.map((s) => s.hz)),
    };
  }
}
