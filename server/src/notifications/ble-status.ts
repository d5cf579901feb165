/**
 * What the BLE service (egw-ble, a separate process) says of itself, read from its control socket in
 * the shared data directory (GET /status: adapter state and provisioning window). No socket means no
 * BLE service on this box: nothing to report.
 */
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { Clock } from '../core/clock.ts';

/** File name of egw-ble's control socket in the data directory (bluetooth/src/provisioning/control-socket.ts). */
export const BLE_CONTROL_SOCKET_FILE = 'egw-ble.sock';

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
export function readBleStatus(
  dataDir: string,
  clock: Clock,
  timeoutMs = 2000,
): Promise<BleStatus | undefined> {
  const socketPath = join(dataDir, BLE_CONTROL_SOCKET_FILE);
  if (!existsSync(socketPath)) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const timer = clock.setTimer('ble-status-timeout', timeoutMs, () => req.destroy());
    const done = (value: BleStatus | undefined): void => {
      timer.cancel();
      resolve(value);
    };
    const req = request({ socketPath, method: 'GET', path: '/status' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', () => done(undefined));
      res.on('end', () => {
        try {
          const value = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Partial<BleStatus>;
          done(typeof value.ble === 'string' ? (value as BleStatus) : undefined);
        } catch {
          done(undefined);
        }
      });
    });
    req.on('error', () => done(undefined));
    req.end();
  });
}
