import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../server/src/core/logger.ts';
import { SeqGuard, type SeqDatabase } from '../../../server/src/identity/seq-guard.ts';
import { readSeqLedger, SEQ_BLOCK, SEQ_LEDGER_FILE } from '../../../server/src/identity/seq-ledger.ts';

/** An in-memory outbox database as the guard sees it. */
function database(lastSeq = 0, id?: string): SeqDatabase & { seq: number } {
  let dbId = id;
  const db = {
    seq: lastSeq,
    id: () => dbId,
    setId: (value: string) => void (dbId = value),
    lastSeq: () => db.seq,
    raiseLastSeq: (floor: number) => void (db.seq = Math.max(db.seq, floor)),
  };
  return db;
}

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'egw-seq-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

it('writes the ledger once per block of seqs, before the first seq of the block is signed', () =>
  withDir((dir) => {
    const { guard, start } = SeqGuard.open(dir, 'SERIAL', database(), silentLogger());
    assert.equal(start.epoch, 1);
    assert.equal(readSeqLedger(dir)!.ceiling, 0);
    guard.reserve(1);
    assert.equal(readSeqLedger(dir)!.ceiling, SEQ_BLOCK);
    const before = readFileSync(join(dir, SEQ_LEDGER_FILE), 'utf8');
    for (let seq = 2; seq <= SEQ_BLOCK; seq++) guard.reserve(seq);
    assert.equal(readFileSync(join(dir, SEQ_LEDGER_FILE), 'utf8'), before, 'no write inside the block');
    guard.reserve(SEQ_BLOCK + 1);
    assert.equal(readSeqLedger(dir)!.ceiling, 2 * SEQ_BLOCK);
  }));

it('a database the ledger does not know starts a new epoch above the reserved ceiling', () =>
  withDir((dir) => {
    const first = database();
    SeqGuard.open(dir, 'SERIAL', first, silentLogger()).guard.reserve(1);
    const lost = database();
    const { start } = SeqGuard.open(dir, 'SERIAL', lost, silentLogger());
    assert.equal(start.epoch, 2);
    assert.equal(lost.seq, SEQ_BLOCK, 'the next seq is above every seq that may have been signed');
    assert.match(start.newEpoch!.reason, /database lost/);
    const again = SeqGuard.open(dir, 'SERIAL', lost, silentLogger()).start;
    assert.equal(again.epoch, 2);
    assert.equal(again.newEpoch, undefined);
  }));

it('adopts an existing database on the first start with a ledger, and refuses a damaged ledger', () =>
  withDir((dir) => {
    const old = database(617);
    const { start } = SeqGuard.open(dir, 'SERIAL', old, silentLogger());
    assert.equal(start.epoch, 1);
    assert.equal(readSeqLedger(dir)!.ceiling, 617);
    writeFileSync(join(dir, SEQ_LEDGER_FILE), '{"serial":');
    assert.throws(
      () => SeqGuard.open(dir, 'SERIAL', old, silentLogger()),
      /damaged.*never replaced silently/,
    );
  }));

/** Opens the guard on `db` and commits seqs first..last as the outbox would. */
function commit(dir: string, db: SeqDatabase & { seq: number }, last: number): void {
  const { guard } = SeqGuard.open(dir, 'SERIAL', db, silentLogger());
  for (let seq = db.seq + 1; seq <= last; seq++) {
    guard.reserve(seq);
    db.seq = seq;
    guard.committed(seq);
  }
  guard.close();
}

it('the same database without batches it committed (WAL lost, older copy) starts a new epoch above the ceiling', () =>
  withDir((dir) => {
    const db = database();
    commit(dir, db, 12);
    const older = database(7, db.id()); // seqs 8..12 reached the uplinks and are gone from it
    const { start } = SeqGuard.open(dir, 'SERIAL', older, silentLogger());
    assert.equal(start.epoch, 2);
    assert.equal(older.seq, SEQ_BLOCK, 'next seq above every seq that may have been signed, not 8');
    assert.match(start.newEpoch!.reason, /lost the batches it committed after seq 7 \(up to seq 12/);
  }));

it('a restart with the database intact continues without a gap, also when the mark lags (kill -9 after commit)', () =>
  withDir((dir) => {
    const db = database();
    commit(dir, db, 12);
    const { start } = SeqGuard.open(dir, 'SERIAL', db, silentLogger());
    assert.equal(start.epoch, 1);
    assert.equal(db.seq, 12, 'the next seq is 13');
    db.seq = 14; // committed, but the process died before the mark was rewritten
    const again = SeqGuard.open(dir, 'SERIAL', db, silentLogger());
    assert.equal(again.start.newEpoch, undefined);
    assert.equal(db.seq, 14);
  }));

it('does not rewrite an unchanged ledger at start (a start on a full disk must not fail on it)', () =>
  withDir((dir) => {
    const db = database();
    commit(dir, db, 3);
    const path = join(dir, SEQ_LEDGER_FILE);
    writeFileSync(path, readFileSync(path, 'utf8').trimEnd() + '  \n'); // a byte-different but equal ledger
    const before = readFileSync(path, 'utf8');
    SeqGuard.open(dir, 'SERIAL', db, silentLogger());
    assert.equal(readFileSync(path, 'utf8'), before);
  }));
