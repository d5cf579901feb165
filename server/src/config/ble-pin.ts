/**
 * The gateway's 6-digit provisioning PIN: `EGW_BLE_PIN`, else the `ble-pin` file in the data
 * directory, created with a random PIN (mode 0600) on first use. Shown by `egw-ble pin` (and
 * `egw token --pin`) and printed on the box's label.
 */
import { randomInt } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../core/errors.ts';

/** Name of the PIN file in the data directory. */
export const BLE_PIN_FILE = 'ble-pin';

const PIN = /^\d{6}$/;

/** Reads the PIN, creating the file with a fresh random PIN when absent. */
export async function loadOrCreateBlePin(dataDir: string, envPin = process.env.EGW_BLE_PIN): Promise<string> {
  if (envPin !== undefined && envPin !== '') {
    if (!PIN.test(envPin)) throw new ConfigError('EGW_BLE_PIN must be exactly 6 digits', 'EGW_BLE_PIN');
    return envPin;
  }
  const file = join(dataDir, BLE_PIN_FILE);
  try {
    const pin = (await readFile(file, 'utf8')).trim();
    if (!PIN.test(pin)) throw new ConfigError(`${file} must hold exactly 6 digits`, file);
    return pin;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const pin = String(randomInt(0, 1_000_000)).padStart(6, '0');
  try {
    // 'wx': never overwrite a PIN another process created a moment ago.
    await writeFile(file, `${pin}\n`, { mode: 0o600, flag: 'wx' });
    return pin;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return (await readFile(file, 'utf8')).trim();
    throw error;
  }
}
