/**
 * Recent power of one device at harvest rate (AC power, or grid power for a meter), so a dashboard
 * opened now draws the last minutes at once instead of starting empty. A ring buffer: a fixed 600
 * points (10 minutes at 1 s) per device, ~20 KB.
 */
import type { Reading } from '../core/reading.ts';
import { RingBuffer } from './ring-buffer.ts';

/** One point: wall-clock ms of the reading and its power, W. */
export interface PowerSample {
  ts: number;
  w: number;
}

/** Recent power points of one device, oldest first. */
export interface PowerSnapshot {
  device: string;
  samples: PowerSample[];
}

/** Power points of one device. */
export class PowerHistory {
  private readonly recent: RingBuffer<PowerSample>;
  readonly device: string;

  /** @param capacity points kept (default 600: 10 minutes at a 1 s harvest) */
  constructor(device: string, capacity = 600) {
    this.device = device;
    this.recent = new RingBuffer(capacity);
  }

  /** Records a harvest reading's power: AC power, else grid power (meters); neither → nothing. */
  add(reading: Reading): void {
    const w = reading.ac_power_w ?? reading.grid_power_w;
    if (w !== undefined) this.recent.push({ ts: reading.ts, w });
  }

  /** The kept points, oldest first. */
  snapshot(): PowerSnapshot {
    return { device: this.device, samples: this.recent.toArray() };
  }
}
