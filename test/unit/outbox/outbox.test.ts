import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ManualClock } from '../../../server/src/core/clock.ts';
import { ValidationError } from '../../../server/src/core/errors.ts';
import { Outbox, type OutboxOptions } from '../../../server/src/outbox/outbox.ts';
import { MIGRATIONS, migrate } from '../../../server/src/outbox/migrations.ts';
import { loadOrCreateDeviceKey, type DeviceKey } from '../../../server/src/identity/device-key.ts';
import { createBatch, type BatchInput } from '../../../server/src/identity/batch-jwt.ts';

let dir: string;
let key: DeviceKey;
let clock: ManualClock;
let ts = 1_000;

function input(model = 'sunspec'): BatchInput {
  ts += 1000;
  return { model, harvests: [{ device: 'inv1', profile: model, ts, read_ms: 5, ac_power_w: ts % 5000 }] };
}

function open(options: Partial<OutboxOptions> = {}): Outbox {
  return Outbox.open(join(dir, 'egw.db'), { sign: (i, seq) => createBatch(key, i, seq), clock, ...options });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'egw-outbox-'));
  key = loadOrCreateDeviceKey(dir);
  clock = new ManualClock();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('outbox', () => {
  it('migrates a new database to the latest user_version with WAL', () => {
    open().close();
    const db = new Database(join(dir, 'egw.db'));
    assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    db.close();
  });

  it('upgrades a version-1 database in place, keeping its batches', () => {
    const db = new Database(join(dir, 'egw.db'));
    migrate(db, MIGRATIONS.slice(0, 1));
    db.prepare(
      "INSERT INTO batches (seq, created_at, bytes, header, payload, jwt) VALUES (1, 5, 3, '{}', '{}', 'a.b.c')",
    ).run();
    db.prepare("UPDATE meta SET value = 1 WHERE key = 'last_seq'").run();
    db.close();
    const outbox = open();
    assert.deepEqual(
      outbox.pending('http', 10).map((r) => r.jwt),
      ['a.b.c'],
    );
    assert.equal(outbox.append(input())?.seq, 2);
    assert.equal(outbox.stats().bytes > 3, true);
    outbox.close();
    const check = new Database(join(dir, 'egw.db'));
    assert.equal(check.pragma('user_version', { simple: true }), MIGRATIONS.length);
    check.close();
  });

  it('refuses a database from a newer version', () => {
    const db = new Database(join(dir, 'egw.db'));
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    assert.throws(() => open(), /newer than this program knows/);
  });

  it('assigns strictly increasing seq, signed into the header, persisted across reopen', () => {
    let outbox = open();
    const a = outbox.append(input());
    const b = outbox.append(input());
    assert.equal(a?.seq, 1);
    assert.equal(b?.seq, 2);
    assert.equal(b?.header.seq, 2);
    outbox.close();
    outbox = open();
    assert.equal(outbox.append(input())?.seq, 3);
    assert.equal(outbox.stats().lastSeq, 3);
    assert.deepEqual(
      outbox.pending('http', 10).map((r) => r.seq),
      [1, 2, 3],
    );
    outbox.close();
  });

  it('does not consume a seq when signing fails', () => {
    const outbox = open();
    assert.throws(() => outbox.append({ model: 'x', harvests: [] }), ValidationError);
    assert.equal(outbox.append(input())?.seq, 1);
    outbox.close();
  });

  it('never reuses a seq after all batches were delivered and pruned', () => {
    let outbox = open({ keepDelivered: 1 });
    outbox.setUplinks(['http']);
    for (let i = 0; i < 3; i++) outbox.ack(outbox.append(input())!.seq, 'http');
    outbox.close();
    outbox = open({ keepDelivered: 1 });
    assert.equal(outbox.append(input())?.seq, 4);
    outbox.close();
  });

  it('tells listeners after the commit', () => {
    const outbox = open();
    const seen: number[] = [];
    outbox.onAppend((r) => seen.push(outbox.stats().lastSeq === r.seq ? r.seq : -1));
    outbox.append(input());
    assert.deepEqual(seen, [1]);
    outbox.close();
  });

  it('returns pending batches per uplink, oldest first, after a cursor', () => {
    const outbox = open();
    outbox.setUplinks(['http', 'mqtt']);
    for (let i = 0; i < 5; i++) outbox.append(input());
    outbox.ackMany([1, 3], 'http');
    assert.deepEqual(
      outbox.pending('http', 10).map((r) => r.seq),
      [2, 4, 5],
    );
    assert.deepEqual(
      outbox.pending('http', 2).map((r) => r.seq),
      [2, 4],
    );
    assert.deepEqual(
      outbox.pending('http', 10, 2).map((r) => r.seq),
      [4, 5],
    );
    assert.deepEqual(
      outbox.pending('mqtt', 10).map((r) => r.seq),
      [1, 2, 3, 4, 5],
    );
    assert.deepEqual(outbox.pending('mqtt', 1)[0]?.ackedBy, ['http']);
    outbox.close();
  });

  it('keeps a batch until every enabled uplink acknowledged it', () => {
    const outbox = open();
    outbox.setUplinks(['http', 'mqtt']);
    outbox.append(input());
    outbox.ack(1, 'http');
    assert.equal(outbox.stats().depth, 1);
    outbox.ack(1, 'http'); // a repeated ack changes nothing
    assert.equal(outbox.stats().depth, 1);
    outbox.ack(1, 'mqtt');
    assert.equal(outbox.stats().depth, 0);
    assert.deepEqual(outbox.pending('http', 10), []);
    assert.deepEqual(outbox.pending('mqtt', 10), []);
    assert.equal(outbox.recent(10)[0]?.seq, 1, 'delivered batches stay visible in recent()');
    outbox.close();
  });

  it('delivers batches already acknowledged when an uplink is disabled', () => {
    const outbox = open();
    outbox.setUplinks(['http', 'mqtt']);
    outbox.append(input());
    outbox.append(input());
    outbox.ack(1, 'http');
    outbox.setUplinks(['http']);
    assert.deepEqual(
      outbox.pending('http', 10).map((r) => r.seq),
      [2],
    );
    assert.equal(outbox.stats().depth, 1);
    outbox.close();
  });

  it('keeps everything (up to the bound) when no uplink is enabled', () => {
    const outbox = open();
    for (let i = 0; i < 4; i++) outbox.append(input());
    outbox.ackMany([1, 2, 3, 4], 'http');
    assert.equal(outbox.stats().depth, 4);
    outbox.close();
  });

  it('keeps only keepDelivered delivered batches', () => {
    const outbox = open({ keepDelivered: 2 });
    outbox.setUplinks(['http']);
    for (let i = 0; i < 5; i++) outbox.append(input());
    outbox.ackMany([1, 2, 3, 4, 5], 'http');
    assert.deepEqual(
      outbox.recent(10).map((r) => r.seq),
      [5, 4],
    );
    assert.equal(outbox.stats().delivered, 2);
    outbox.close();
  });

  it('drops the oldest undelivered batches beyond the bound and persists the counter', () => {
    let outbox = open({ maxBatches: 10 });
    for (let i = 0; i < 13; i++) outbox.append(input());
    assert.equal(outbox.stats().depth, 10);
    assert.equal(outbox.stats().dropped, 3);
    assert.deepEqual(
      outbox.pending('http', 1).map((r) => r.seq),
      [4],
    );
    outbox.close();
    outbox = open({ maxBatches: 10 });
    assert.equal(outbox.stats().dropped, 3);
    outbox.close();
  });

  it('reports depth, bytes and the age of the oldest batch', () => {
    const outbox = open();
    assert.equal(outbox.stats().oldestAgeMs, undefined);
    const record = outbox.append(input())!;
    void clock.advance(5000, false);
    const stats = outbox.stats();
    assert.equal(stats.depth, 1);
    assert.equal(stats.bytes, Buffer.byteLength(record.jwt));
    assert.equal(stats.oldestAgeMs, 5000);
    outbox.close();
  });

  it('holds batches in memory when the disk is full and stores them in order once it is not', () => {
    const outbox = open({ maxDbBytes: 64 * 1024, maxBatches: 1_000_000, keepDelivered: 0 });
    const big = (): BatchInput => {
      const i = input();
      i.harvests[0]!.model = 'x'.repeat(2000);
      return i;
    };
    let firstHeld = -1;
    for (let i = 0; i < 200 && firstHeld < 0; i++) if (outbox.append(big()) === null) firstHeld = i;
    assert.ok(firstHeld > 0, 'the cap was reached');
    const stats = outbox.stats();
    assert.equal(stats.held, 1);
    assert.equal(stats.storageErrors, 1);
    assert.equal(outbox.append(big()), null, 'later batches queue behind the held one');
    assert.equal(outbox.stats().held, 2);
    // Make room: deliver everything stored so far.
    outbox.setUplinks(['http']);
    outbox.ackMany(
      outbox.pending('http', 1000).map((r) => r.seq),
      'http',
    );
    assert.equal(outbox.retryHeld(), 2);
    const seqs = outbox.pending('http', 10).map((r) => r.seq);
    assert.deepEqual(seqs, [firstHeld + 1, firstHeld + 2]);
    outbox.close();
    const db = new Database(join(dir, 'egw.db'));
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    db.close();
  });

  it('persists settings as JSON', () => {
    let outbox = open();
    outbox.putSetting('harvest', { intervalMs: 2000 });
    outbox.close();
    outbox = open();
    assert.deepEqual(outbox.getSetting('harvest'), { intervalMs: 2000 });
    assert.equal(outbox.settings.get('nope'), undefined);
    assert.deepEqual(outbox.settings.all(), { harvest: { intervalMs: 2000 } });
    assert.equal(outbox.settings.delete('harvest'), true);
    outbox.close();
  });

  it('passes integrity_check after reopen', () => {
    const outbox = open();
    outbox.setUplinks(['http']);
    for (let i = 0; i < 50; i++) outbox.append(input());
    outbox.ackMany([1, 2, 3], 'http');
    outbox.close();
    const db = new Database(join(dir, 'egw.db'));
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    db.close();
  });
});

describe('outbox appendMany', () => {
  it('appends consecutive seqs in one transaction, all or nothing', () => {
    const outbox = open();
    const records = outbox.appendMany([input(), input(), input()]);
    assert.deepEqual(
      records.map((r) => r.seq),
      [1, 2, 3],
    );
    assert.throws(() => outbox.appendMany([input(), { model: 'x', harvests: [] }]), ValidationError);
    assert.equal(outbox.stats().lastSeq, 3);
    assert.equal(outbox.append(input())?.seq, 4);
    outbox.close();
  });
});
