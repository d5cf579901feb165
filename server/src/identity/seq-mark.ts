/**
 * The last seq the outbox committed, beside the seq ledger (`device.seq-committed`). The ledger is
 * written once per block of seqs, so on its own it cannot tell "seqs reserved but never signed" from
 * "batches committed and then lost by the database" (its WAL lost, an older copy of egw.db restored):
 * the database would hand those seqs out again and the receiver would drop the new batches as
 * duplicates. The mark closes that gap: rewritten in place after every commit (a fixed-size record
 * at offset 0, so it needs no new disk blocks on a full disk), without fsync — it survives kill -9
 * (page cache); after a power loss it may be older than the database, which only weakens the check,
 * never makes it claim a loss (the database's commits are fsynced). Best effort: a failed write is
 * ignored (the ledger still guards against reuse beyond its ceiling).
 */
import { closeSync, constants, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** File name of the mark inside the data directory. */
export const SEQ_MARK_FILE = 'device.seq-committed';
/** Bytes of the record (JSON padded with spaces, newline-terminated). */
const RECORD_BYTES = 80;

/** What the mark holds: the database (its id, see seq-guard.ts) and the last seq it committed. */
export interface SeqMarkState {
  dbId: string;
  seq: number;
}

/** Reads the mark; undefined when missing or unreadable (it is advisory). */
export function readSeqMark(dataDir: string): SeqMarkState | undefined {
  try {
    const state = JSON.parse(readFileSync(join(dataDir, SEQ_MARK_FILE), 'utf8')) as Partial<SeqMarkState>;
    if (typeof state.dbId === 'string' && Number.isSafeInteger(state.seq)) return state as SeqMarkState;
  } catch {
    // Missing, torn or foreign: no evidence either way.
  }
  return undefined;
}

/** Rewrites the mark in place; open once, write after every commit. */
export class SeqMark {
  private fd: number | undefined;
  private readonly path: string;

  constructor(dataDir: string) {
    this.path = join(dataDir, SEQ_MARK_FILE);
  }

  /** Records that `dbId` committed `seq`; returns false when the write failed (ignored otherwise). */
  write(dbId: string, seq: number): boolean {
    const json = JSON.stringify({ dbId, seq });
    if (json.length >= RECORD_BYTES) return false;
    const record = Buffer.alloc(RECORD_BYTES, ' ');
    record.write(json, 0, 'utf8');
    record[RECORD_BYTES - 1] = 0x0a;
    try {
      this.fd ??= openSync(this.path, constants.O_RDWR | constants.O_CREAT, 0o600);
      writeSync(this.fd, record, 0, RECORD_BYTES, 0);
      return true;
    } catch {
      return false;
    }
  }

  /** Closes the file (idempotent). */
  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}
