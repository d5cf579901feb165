/**
 * A missing device key next to an existing outbox (or seq ledger) means the identity was lost, not
 * that this is a first start: creating a new key silently would make every receiver pinned to the old
 * one reject all batches from now on. Refuse with one clear line; `egw key rotate` makes a new
 * identity on purpose.
 */
import { existsSync, lstatSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../core/errors.ts';
import { DEVICE_KEY_FILE } from './device-key.ts';
import { SEQ_LEDGER_FILE } from './seq-ledger.ts';

/** File name of the outbox database inside the data directory. */
export const OUTBOX_FILE = 'egw.db';

/** Throws a ConfigError when device.key is missing (or a dangling link) but the gateway ran here before. */
export function refuseLostIdentity(dataDir: string): void {
  const keyPath = join(dataDir, DEVICE_KEY_FILE);
  let dangling: string | undefined;
  try {
    if (lstatSync(keyPath).isSymbolicLink() && !existsSync(keyPath)) dangling = readlinkSync(keyPath);
    else return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const ranBefore = [OUTBOX_FILE, SEQ_LEDGER_FILE].filter((f) => existsSync(join(dataDir, f)));
  if (dangling !== undefined) {
    throw new ConfigError(
      `${keyPath} is a symbolic link to ${dangling}, which does not exist: mount or restore the key ` +
        '(or remove the link and run `egw key rotate` to create a new identity on purpose)',
      'deviceKey',
    );
  }
  if (ranBefore.length === 0) return;
  throw new ConfigError(
    `${keyPath} is missing but ${ranBefore.join(' and ')} exist: refusing to start with a new identity ` +
      '(receivers pinned to the old key would reject every batch); restore device.key from a backup, ' +
      'or run `egw key rotate` to create a new one on purpose',
    'deviceKey',
  );
}
