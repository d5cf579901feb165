/**
 * The gateway's side of egw-ble's control socket (`egw-ble.sock` in the shared data directory, served
 * by bluetooth/src/provisioning/control-socket.ts): one HTTP request over the Unix socket. egw-ble is a
 * separate process, so the answer is `undefined` when it does not run (no socket, nobody answering,
 * no answer within the timeout) — callers decide what that means for them.
 */
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { Clock } from '../core/clock.ts';

/** File name of egw-ble's control socket in the data directory (bluetooth/src/provisioning/control-socket.ts). */
export const BLE_CONTROL_SOCKET_FILE = 'egw-ble.sock';

/** What egw-ble answered: the HTTP status and the parsed JSON body. */
export interface BleControlAnswer {
  status: number;
  body: unknown;
}

/** Sends one request to egw-ble's control socket; undefined when egw-ble does not run or answer. */
export function bleControlRequest(
  dataDir: string,
  clock: Clock,
  method: string,
  path: string,
  body?: unknown,
  timeoutMs = 2000,
): Promise<BleControlAnswer | undefined> {
  const socketPath = join(dataDir, BLE_CONTROL_SOCKET_FILE);
  if (!existsSync(socketPath)) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const timer = clock.setTimer('ble-control-timeout', timeoutMs, () => req.destroy());
    const done = (value: BleControlAnswer | undefined): void => {
      timer.cancel();
      resolve(value);
    };
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers = payload === undefined ? {} : { 'content-type': 'application/json' };
    const req = request({ socketPath, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', () => done(undefined));
      res.on('end', () => {
        try {
          done({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        } catch {
          done(undefined);
        }
      });
    });
    req.on('error', () => done(undefined));
    req.end(payload);
  });
}
