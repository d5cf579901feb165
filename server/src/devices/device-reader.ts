/**
 * What the harvest pipeline needs from a device: a fast frequency read for the 10 Hz path and a full
 * read into a canonical reading. Implemented over Modbus (TCP or RTU) by the devices module.
 */
import type { Reading } from '../core/reading.ts';

export type ConnectionState = 'connecting' | 'connected' | 'backoff' | 'disconnected' | 'closed';

export interface DeviceReader {
  /** Configured device id, e.g. "inv1". */
  readonly id: string;
  readonly profileId: string;
  /** Reads only the frequency register(s); resolves Hz, or undefined if the device does not report it. */
  readFrequency(signal?: AbortSignal): Promise<number | undefined>;
  /** Reads the whole profile and decodes it. */
  read(signal?: AbortSignal): Promise<Reading>;
  /** Connection state and counters for /api/stats and /metrics. */
  state(): ConnectionState;
  close(): Promise<void>;
}
