/**
 * What a device's state really is, from the outcome of its reads rather than from its socket: a
 * device whose every read answers an exception has a perfectly good TCP connection, and a
 * close-between-polls device has none between two good reads. The harvest (full read) decides;
 * a failed frequency read counts as a failure too, a good one does not hide a failing harvest.
 */
import { CancelledError, TimeoutError, TransportError } from '../core/errors.ts';

/**
 * connected: the last read delivered a reading. failing: the device answers but its reads fail
 * (exception, registers that do not decode). backoff: the link failed recently and is being retried.
 * offline: no good reading for `staleAfterMs` (or never) and the link fails.
 */
export type DeviceState = 'connected' | 'failing' | 'backoff' | 'offline';

/** The state of one device as the API shows it. */
export interface DeviceStatus {
  state: DeviceState;
  /** Why the device is not connected (the last error), absent while connected. */
  reason?: string;
  /** Wall-clock ms of the last good harvest reading. */
  lastGoodAt?: number;
  /** Age of that reading, ms. */
  lastGoodAgeMs?: number;
  /** No good reading for more than `staleAfterMs` (3 harvest periods): the last one is not live. */
  stale: boolean;
}

/** Periods without a good reading after which it is stale. */
export const STALE_HARVEST_PERIODS = 3;

/**
 * Whether an error came from a device that answered (exception, registers that do not decode, no
 * SunSpec header) as opposed to a link that failed (refused, reset, no answer in time).
 */
export function isDeviceAnswer(error: unknown): boolean {
  return !(
    error instanceof TransportError ||
    error instanceof TimeoutError ||
    error instanceof CancelledError
  );
}

/** Read outcomes of one device, turned into a DeviceStatus on demand. */
export class DeviceStatusTracker {
  private lastGoodAt: number | undefined;
  private failure: { message: string; answered: boolean } | undefined;

  /** A harvest delivered a reading stamped `ts` (wall ms). */
  harvested(ts: number): void {
    this.lastGoodAt = ts;
    this.failure = undefined;
  }

  /** A read (harvest or frequency) failed. */
  failed(error: unknown, message: string): void {
    this.failure = { message, answered: isDeviceAnswer(error) };
  }

  /** The status at wall time `nowMs`. */
  status(nowMs: number, staleAfterMs: number): DeviceStatus {
    const age = this.lastGoodAt === undefined ? undefined : Math.max(0, nowMs - this.lastGoodAt);
    const stale = age === undefined || age > staleAfterMs;
    const good = this.lastGoodAt === undefined ? {} : { lastGoodAt: this.lastGoodAt, lastGoodAgeMs: age };
    if (!this.failure) {
      if (this.lastGoodAt === undefined) return { state: 'offline', reason: 'not read yet', stale };
      return { state: 'connected', ...good, stale };
    }
    const reason = this.failure.message;
    if (this.failure.answered) return { state: 'failing', reason, ...good, stale };
    return { state: stale ? 'offline' : 'backoff', reason, ...good, stale };
  }
}
