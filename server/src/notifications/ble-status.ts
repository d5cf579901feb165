/**
 * What the BLE service (egw-ble, a separate process) says of itself, read from its control socket in
 * the shared data directory (GET /status: adapter state and provisioning window). No socket means no
 * BLE service on this box: nothing to report.
 */
import type { Clock } from '../core/clock.ts';
import { bleControlRequest } from './ble-control.ts';

/** The part of egw-ble's status the gateway uses. */
export interface BleStatus {
  /** bleno's adapter state ("poweredOn", "unsupported", …), "disabled" without the ble transport. */
  ble: string;
  window?: { open: boolean; reason?: string };
}

/** Adapter states that mean BLE cannot work on this box. */
const ADAPTER_MISSING = new Set(['unsupported', 'unauthorized', 'poweredOff', 'error']);

/** Whether the status says the Bluetooth adapter is missing or unusable. */
export function adapterMissing(status: BleStatus): boolean {
  return ADAPTER_MISSING.has(status.ble);
}

/** Asks egw-ble for its status; undefined when it does not run (or does not answer within timeoutMs). */
export async function readBleStatus(
  dataDir: string,
  clock: Clock,
  timeoutMs = 2000,
): Promise<BleStatus | undefined> {
  const answer = await bleControlRequest(dataDir, clock, 'GET', '/status', undefined, timeoutMs);
  const value = answer?.body as Partial<BleStatus> | undefined;
  return typeof value?.ble === 'string' ? (value as BleStatus) : undefined;
}
