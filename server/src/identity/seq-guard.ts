/**
 * Reconciles the seq ledger beside the key (seq-ledger.ts) with the outbox database at start, and
 * reserves seqs ahead while the gateway runs. At start:
 *  - no ledger: written now (a new data directory, or one from before the ledger existed);
 *  - the database is not the one the ledger was written for (deleted, truncated, moved aside as
 *    corrupt, restored from elsewhere): a NEW EPOCH begins — the next seq is above every seq that may
 *    have been signed, the JWT header carries `"epoch"`, and it is logged as an error: the batches
 *    that were only in the lost database are gone, and now nobody is told otherwise;
 *  - the key is not the one the ledger was written for: a new epoch too (`egw key rotate` writes it);
 *  - the database is the same but lost batches it had committed (the commit mark, seq-mark.ts, is
 *    above its last seq: its WAL was lost or an older copy was restored): a new epoch too, since those
 *    seqs reached uplinks and must not be signed again.
 * The ledger is rewritten at start only when it changes, so a start on a full disk does not fail on
 * it when the database itself opens.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '../core/logger.ts';
import { readSeqLedger, SEQ_BLOCK, writeSeqLedger, type SeqLedgerState } from './seq-ledger.ts';
import { readSeqMark, SeqMark } from './seq-mark.ts';

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
  private readonly mark: SeqMark;

  private constructor(dataDir: string, state: SeqLedgerState) {
    this.dataDir = dataDir;
    this.state = state;
    this.mark = new SeqMark(dataDir);
  }

  /** Called after the outbox committed `seq` (its onAppend): updates the commit mark (seq-mark.ts). */
  committed(seq: number): void {
    this.mark.write(this.state.dbId, seq);
  }

  /** Closes the commit mark's file. */
  close(): void {
    this.mark.close();
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
    const lost = ledger?.dbId === dbId ? lostCommits(dataDir, dbId, lastSeq) : undefined;
    if (!ledger) {
      state = { serial, epoch: 1, dbId, ceiling: lastSeq };
    } else if (ledger.dbId !== dbId || ledger.serial !== serial || lost !== undefined) {
      const reason =
        ledger.serial !== serial
          ? `device key changed (serial ${ledger.serial} → ${serial})`
          : lost !== undefined
            ? `outbox database lost the batches it committed after seq ${lastSeq} (up to seq ${lost}: ` +
              'its WAL lost or an older copy restored)'
            : dbIsNew
              ? 'outbox database lost (egw.db missing, empty or replaced)'
              : 'outbox database replaced by another one';
      const floor = Math.max(ledger.ceiling, lastSeq, lost ?? 0);
      db.raiseLastSeq(floor);
      state = { serial, epoch: ledger.epoch + 1, dbId, ceiling: floor, reason };
      newEpoch = { reason, fromSeq: floor + 1, lostAfterSeq: lastSeq };
    } else {
      state = { ...ledger, ceiling: Math.max(ledger.ceiling, lastSeq) };
    }
    if (JSON.stringify(state) !== JSON.stringify(ledger)) writeSeqLedger(dataDir, state);
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

/** The last seq the commit mark says `dbId` committed, when the database no longer has it. */
function lostCommits(dataDir: string, dbId: string, lastSeq: number): number | undefined {
  const mark = readSeqMark(dataDir);
  return mark && mark.dbId === dbId && mark.seq > lastSeq ? mark.seq : undefined;
}
