/** What a Modbus connection reports: its state, its counters and each finished request. */
import type { Distribution } from '../engine/task.ts';

export type ConnectionState = 'connecting' | 'connected' | 'backoff' | 'disconnected' | 'closed';

/** Modbus counters of one device, for /api/stats and /metrics. */
export interface DeviceStats {
  state: ConnectionState;
  requests: number;
  failures: number;
  timeouts: number;
  reconnects: number;
  /** Replies that did not parse (bad checksum or CRC, truncated frame, wrong length). */
  malformed?: number;
  /** Exception responses by two-digit hex code, e.g. { "06": 3 }. */
  exceptions: Record<string, number>;
  latencyMs: Distribution;
  lastError?: string;
  /** Wall-clock ms of the last successful request. */
  lastOkAt?: number;
  /** Raw register captures of reads that failed to decode (bounded). */
  captures: number;
  /** Optional blocks the device lacked (exception 02/03 or no answer), times by "fc:start" (wire). */
  absentBlocks?: Record<string, number>;
}

/** One finished Modbus request, reported to an optional observer (Prometheus histograms). */
export interface ModbusRequestReport {
  device: string;
  latencyMs: number;
  ok: boolean;
  /** Set for exception responses (1–11). */
  exceptionCode?: number;
  timeout?: boolean;
}

export interface ModbusObserver {
  requestFinished?(report: ModbusRequestReport): void;
  reconnected?(device: string): void;
}
