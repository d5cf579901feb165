/**
 * The data directory (egw.db, device key, API token): created on first start with mode 0700 so other
 * local users cannot read the secrets in it.
 */
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../core/errors.ts';

/** Creates the data directory if needed (mode 0700) and returns its absolute path. */
export function prepareDataDir(dataDir: string): string {
  const path = resolve(dataDir);
  try {
    mkdirSync(path, { recursive: true, mode: 0o700 });
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    if (reason === 'EEXIST')
      throw new ConfigError(`dataDir: ${path} exists and is not a directory`, 'dataDir');
    throw new ConfigError(`dataDir: cannot create ${path} (${reason})`, 'dataDir', error);
  }
  if (!statSync(path).isDirectory()) {
    throw new ConfigError(`dataDir: ${path} exists and is not a directory`, 'dataDir');
  }
  return path;
}

/**
 * Restricts an existing data directory to its owner (0700): one created by hand or by an older
 * release may be 0755, and then other local users can read egw.db (settings with uplink credentials).
 * Returns the mode it had when it was tightened (for the start-up warning), else undefined.
 */
export function tightenDataDir(path: string): number | undefined {
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) === 0) return undefined;
  chmodSync(path, 0o700);
  return mode;
}
