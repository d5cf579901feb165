/**
 * Reconciles the seq ledger beside the key (seq-ledger.ts) with the outbox database at start, and
 * reserves seqs ahead while the gateway runs. At start:
 *  - no ledger: written now (a new data directory, or one from before the ledger existed);
 *  - the database is not the one the ledger was written for (deleted, truncated, moved aside as
 *    corrupt, restored from elsewhere): a NEW EPOCH begins — the next seq is above every seq that may
 *    have been signed, the JWT header carries `"epoch"`, and it is logged as an error: the batches
 *    that were only in the lost database are gone, and now nobody is told otherwise;
 *  - the key is not the one the ledger was written for: a new epoch too (`egw key rotate` writes it).
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '../core/logger.ts';
import { readSeqLedger, SEQ_BLOCK, writeSeqLedger, type SeqLedgerState } from './seq-ledger.ts';

/** The outbox as the guard sees it. */
export interface SeqDatabase {
  /** The database's id (created with the database), or undefined for one created before ids. */
  id(): string | undefined;
  setId(id: string): void;
  /** Highest seq the database assigned. */
  lastSeq(): number;
  /** Makes the next assigned seq > floor. */
  raiseLastSeq(floor: number): void;
}

/** What start-up learned. */
export interface SeqGuardStart {
  epoch: number;
  /** Set when a new epoch began at this start, with why. */
  newEpoch?: { reason: string; fromSeq: number; lostAfterSeq: number };
}

/** Keeps the ledger ahead of the seqs the outbox signs. */
export class SeqGuard {
  private state: SeqLedgerState;
  private readonly dataDir: string;

  private constructor(dataDir: string, state: SeqLedgerState) {
    this.dataDir = dataDir;
    this.state = state;
  }

  /** The epoch batches are signed in (1 = the first; the JWT header carries it from 2 on). */
  get epoch(): number {
    return this.state.epoch;
  }

  /**
   * Called inside the outbox's append transaction before `seq` is signed: reserves the next block
   * first when seq passes the ceiling. A failed write (disk full) throws, and the append is retried.
   */
  reserve(seq: number): void {
    if (seq <= this.state.ceiling) return;
    const next = { ...this.state, ceiling: seq + SEQ_BLOCK - 1 };
    writeSeqLedger(this.dataDir, next);
    this.state = next;
  }

  /** Reconciles ledger and database (see the file comment); logs a new epoch loudly. */
  static open(
    dataDir: string,
    serial: string,
    db: SeqDatabase,
    logger: Logger,
  ): { guard: SeqGuard; start: SeqGuardStart } {
    let dbId = db.id();
    const dbIsNew = dbId === undefined;
    if (dbId === undefined) {
      dbId = randomBytes(8).toString('hex');
      db.setId(dbId);
    }
    const lastSeq = db.lastSeq();
    const ledger = readSeqLedger(dataDir);
    let state: SeqLedgerState;
    let newEpoch: SeqGuardStart['newEpoch'];
    if (!ledger) {
      state = { serial, epoch: 1, dbId, ceiling: lastSeq };
    } else if (ledger.dbId !== dbId || ledger.serial !== serial) {
      const reason =
        ledger.serial !== serial
          ? `device key changed (serial ${ledger.serial} → ${serial})`
          : dbIsNew
            ? 'outbox database lost (egw.db missing, empty or replaced)'
            : 'outbox database replaced by another one';
      const floor = Math.max(ledger.ceiling, lastSeq);
      db.raiseLastSeq(floor);
      state = { serial, epoch: ledger.epoch + 1, dbId, ceiling: floor, reason };
      newEpoch = { reason, fromSeq: floor + 1, lostAfterSeq: lastSeq };
    } else {
      state = { ...ledger, ceiling: Math.max(ledger.ceiling, lastSeq) };
    }
    writeSeqLedger(dataDir, state);
    const guard = new SeqGuard(dataDir, state);
    if (newEpoch) {
      logger.error(
        {
          epoch: state.epoch,
          nextSeq: newEpoch.fromSeq,
          previousCeiling: ledger?.ceiling,
          reason: newEpoch.reason,
        },
        `NEW SIGNING EPOCH ${state.epoch}: ${newEpoch.reason}; batches signed before and not yet delivered ` +
          `are lost; seqs continue at ${newEpoch.fromSeq} (never reused) and the JWT header carries "epoch"`,
      );
    } else if (!ledger && lastSeq > 0) {
      logger.info({ lastSeq }, 'seq ledger written beside the device key for an existing outbox');
    }
    return { guard, start: { epoch: state.epoch, ...(newEpoch ? { newEpoch } : {}) } };
  }
}
