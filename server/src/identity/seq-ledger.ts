/**
 * The batch sequence counter kept beside the device key (`device.seq`), so key and seq belong
 * together: losing or replacing `egw.db` can never make the gateway sign a seq it signed before.
 * Receivers deduplicate on `<serial>-<seq>`; a reused seq is answered "duplicate" and the new batch is
 * silently lost. The file holds the highest seq that may have been signed (`ceiling`, reserved ahead
 * in blocks so it is written once per SEQ_BLOCK batches), the id of the database it was reserved for,
 * the key's serial and the epoch. Written atomically (temporary file, fsync, rename, fsync of the
 * directory) before any seq above the old ceiling is signed.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { EgwError } from '../core/errors.ts';

/** File name of the ledger inside the data directory. */
export const SEQ_LEDGER_FILE = 'device.seq';
/** Seqs reserved per write of the ledger. */
export const SEQ_BLOCK = 100;

/** What device.seq holds. */
export interface SeqLedgerState {
  /** Serial of the key the seqs were signed with. */
  serial: string;
  /** Starts at 1; +1 whenever the database was lost or replaced or the key rotated. In the JWT header from 2. */
  epoch: number;
  /** Id of the outbox database (kept in its settings table) the ceiling was reserved for. */
  dbId: string;
  /** Highest seq that may have been signed. */
  ceiling: number;
  /** Why the last epoch began (for the start-up log line), e.g. "database lost". */
  reason?: string;
}

/** Reads `<dataDir>/device.seq`; undefined when there is none. A damaged file is an error, never reset. */
export function readSeqLedger(dataDir: string): SeqLedgerState | undefined {
  const path = join(dataDir, SEQ_LEDGER_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let state: Partial<SeqLedgerState>;
  try {
    state = JSON.parse(text) as Partial<SeqLedgerState>;
  } catch {
    state = {};
  }
  if (
    typeof state.serial !== 'string' ||
    typeof state.dbId !== 'string' ||
    !Number.isSafeInteger(state.epoch) ||
    !Number.isSafeInteger(state.ceiling)
  ) {
    throw new EgwError(
      'seq_ledger_damaged',
      `${path}: damaged (expected {"serial","epoch","dbId","ceiling"}); it guards against reusing batch ` +
        'seqs, so it is never replaced silently: restore it, or remove it only if egw.db is intact',
      { where: { file: path } },
    );
  }
  return state as SeqLedgerState;
}

/** Replaces `<dataDir>/device.seq` atomically and durably (mode 0600). */
export function writeSeqLedger(dataDir: string, state: SeqLedgerState): void {
  const path = join(dataDir, SEQ_LEDGER_FILE);
  const temp = `${path}.tmp-${process.pid}`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(state)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
  const dirFd = openSync(dataDir, 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}
