/**
 * What the harvest pipeline needs from a device: a fast frequency read for the 10 Hz path and a full
 * read into a canonical reading. Implemented over Modbus (TCP or RTU) by the devices module.
 */
import type { Reading } from '../core/reading.ts';
import type { RegisterCapture } from '../profiles/register-capture.ts';
import type { ConnectionState, DeviceStats } from '../modbus/modbus-observer.ts';

export interface DeviceReader {
  /** Configured device id, e.g. "inv1". */
  readonly id: string;
  readonly profileId: string;
  /** Effective close-between-polls (config or the profile's single client), for readers that have one. */
  readonly closeBetweenPolls?: boolean;
  /** Reads only the frequency register(s); resolves Hz, or undefined if the device does not report it. */
  readFrequency(signal?: AbortSignal): Promise<number | undefined>;
  /** Reads the whole profile and decodes it. */
  read(signal?: AbortSignal): Promise<Reading>;
  /** Connection state. */
  state(): ConnectionState;
  /** Counters for /api/stats and /metrics. */
  stats(): DeviceStats;
  /** Raw registers of failed polls (bounded), for readers of registers. */
  registerCaptures?(): RegisterCapture[];
  /** Raw registers of the last good poll, for readers of registers. */
  lastPoll?(): RegisterCapture | undefined;
  close(): Promise<void>;
}
