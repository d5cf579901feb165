/**
 * Counters of one Modbus connection: requests, failures, timeouts, exceptions by code, reconnects,
 * latency distribution. The device reader adds its capture count to make DeviceStats.
 */
import type { ConnectionState, DeviceStats } from './modbus-observer.ts';
import { exceptionKey } from './modbus-exception-kind.ts';
import { LatencyWindow } from './latency-window.ts';

/** DeviceStats without the reader's `captures`. */
export type ModbusConnectionStats = Omit<DeviceStats, 'captures' | 'absentBlocks'>;

/** Mutable counters; snapshot() copies them out. */
export class ModbusCounters {
  requests = 0;
  failures = 0;
  timeouts = 0;
  reconnects = 0;
  /** Replies that did not parse: bad checksum or CRC, truncated frame, wrong length. */
  malformed = 0;
  readonly exceptions: Record<string, number> = {};
  readonly latencies = new LatencyWindow();
  lastError: string | undefined;
  lastOkAt: number | undefined;

  /** A reply (data or exception) arrived after latencyMs. */
  roundTrip(latencyMs: number, wallMs: number): void {
    this.latencies.add(latencyMs);
    this.lastOkAt = wallMs;
  }

  /** An exception reply with this code. */
  exception(code: number, message: string): void {
    const key = exceptionKey(code);
    this.exceptions[key] = (this.exceptions[key] ?? 0) + 1;
    this.failed(message);
  }

  /** Any failed request or connect. */
  failed(message: string): void {
    this.failures += 1;
    this.lastError = message;
  }

  snapshot(state: ConnectionState): ModbusConnectionStats {
    const stats: ModbusConnectionStats = {
      state,
      requests: this.requests,
      failures: this.failures,
      timeouts: this.timeouts,
      reconnects: this.reconnects,
      malformed: this.malformed,
      exceptions: { ...this.exceptions },
      latencyMs: this.latencies.distribution(),
    };
    if (this.lastError !== undefined) stats.lastError = this.lastError;
    if (this.lastOkAt !== undefined) stats.lastOkAt = this.lastOkAt;
    return stats;
  }
}
