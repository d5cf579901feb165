/**
 * Secrets on disk (device key, API token): read if present, otherwise created atomically — written to a
 * private temporary file, flushed, then linked into place so a crash never leaves a half-written
 * secret and two processes starting at once agree on one value. Mode 0600; looser modes are repaired.
 */
import {
  chmodSync,
  closeSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { EgwError } from '../core/errors.ts';

/** Mode of every secret file: owner read/write only. */
export const SECRET_FILE_MODE = 0o600;

export interface SecretFileResult {
  value: Buffer;
  /** True when this call created the file. */
  created: boolean;
  /** True when the file existed with group/other permissions and was tightened to 0600. */
  repaired: boolean;
}

/**
 * Returns the content of the secret file at path, creating it with create() when absent. An existing
 * empty file is an error (it never results from this function), never silently replaced: it may be
 * a device key someone truncated.
 */
export function readOrCreateSecretFile(path: string, create: () => Buffer | string): SecretFileResult {
  const existing = readSecretFile(path);
  if (existing) return existing;
  const content = Buffer.from(create());
  const temp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const fd = openSync(temp, 'wx', SECRET_FILE_MODE);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    // link() fails with EEXIST if another process won the race; rename() would overwrite its secret.
    linkSync(temp, path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      unlinkSync(temp);
      return readSecretFile(path)!;
    }
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') {
      unlinkSync(temp);
      throw error;
    }
    // Filesystems without hard links: rename is still atomic, only the race above is not covered.
    renameSync(temp, path);
    return { value: content, created: true, repaired: false };
  }
  unlinkSync(temp);
  return { value: content, created: true, repaired: false };
}

/**
 * Reads the secret file at path, or undefined when it does not exist (never creates it). Looser modes
 * are tightened to 0600; an empty file is an error.
 */
export function readSecretFile(path: string): SecretFileResult | undefined {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let repaired = false;
  if ((mode & 0o077) !== 0) {
    chmodSync(path, SECRET_FILE_MODE);
    repaired = true;
  }
  const value = readFileSync(path);
  if (value.length === 0) {
    throw new EgwError('secret_file_empty', `${path}: secret file is empty; remove it to create a new one`, {
      where: { file: path },
    });
  }
  return { value, created: false, repaired };
}
