import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ManualClock } from '../../../server/src/core/clock.ts';
import { Outbox } from '../../../server/src/outbox/outbox.ts';
import { MIGRATIONS } from '../../../server/src/outbox/migrations.ts';
import { loadOrCreateDeviceKey } from '../../../server/src/identity/device-key.ts';
import { createBatch } from '../../../server/src/identity/batch-jwt.ts';

/**
 * Written by the v2 release's own Outbox (commit 943431a, before the JWT-only rows): 12 batches of 3
 * harvests, uplinks http + mqtt, seq 1–5 acknowledged by both (delivered, 3 kept), 6–7 by http only,
 * a persisted `devices` setting.
 */
const FIXTURE = new URL('../../fixtures/outbox/egw-v2.db', import.meta.url);

interface V2Row {
  seq: number;
  created_at: number;
  bytes: number;
  delivered_at: number | null;
  header: string;
  payload: string;
  jwt: string;
}

let dir: string;
let path: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'egw-outbox-v2-'));
  path = join(dir, 'egw.db');
  copyFileSync(FIXTURE, path);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function readV2(): { rows: V2Row[]; acks: unknown[]; settings: unknown[]; meta: unknown[] } {
  const db = new Database(path, { readonly: true });
  assert.equal(db.pragma('user_version', { simple: true }), 2);
  const result = {
    rows: db.prepare('SELECT * FROM batches ORDER BY seq DESC').all() as V2Row[],
    acks: db.prepare('SELECT * FROM acks ORDER BY seq, uplink').all(),
    settings: db.prepare('SELECT * FROM settings ORDER BY key').all(),
    meta: db.prepare('SELECT * FROM meta ORDER BY key').all(),
  };
  db.close();
  return result;
}

function openOutbox(): Outbox {
  const key = loadOrCreateDeviceKey(dir);
  const outbox = Outbox.open(path, {
    sign: (input, seq) => createBatch(key, input, seq),
    clock: new ManualClock(1_767_001_000_000),
    keepDelivered: 3,
  });
  outbox.setUplinks(['http', 'mqtt']);
  return outbox;
}

describe('outbox migration v2 → v3 (rows hold the JWT only)', () => {
  it('upgrades a database written by the v2 release with nothing lost and the same JWTs served', () => {
    const before = readV2();
    assert.equal(before.rows.length, 10);
    const outbox = openOutbox();
    const recent = outbox.recent(100);
    assert.deepEqual(
      recent.map((r) => [r.seq, r.createdAt, r.jwt]),
      before.rows.map((r) => [r.seq, r.created_at, r.jwt]),
    );
    for (const [i, record] of recent.entries()) {
      const row = before.rows[i]!;
      assert.deepEqual(record.header, JSON.parse(row.header), `header of seq ${row.seq}`);
      assert.deepEqual(record.payload, JSON.parse(row.payload), `payload of seq ${row.seq}`);
    }
    assert.deepEqual(
      outbox.pending('http', 100).map((r) => r.jwt),
      before.rows
        .filter((r) => r.seq >= 8)
        .map((r) => r.jwt)
        .reverse(),
    );
    assert.deepEqual(
      outbox.pending('mqtt', 100).map((r) => [r.seq, r.ackedBy]),
      [
        [6, ['http']],
        [7, ['http']],
        [8, []],
        [9, []],
        [10, []],
        [11, []],
        [12, []],
      ],
    );
    const undelivered = before.rows.filter((r) => r.delivered_at === null);
    const stats = outbox.stats();
    assert.equal(stats.depth, undelivered.length);
    assert.equal(
      stats.bytes,
      undelivered.reduce((sum, r) => sum + r.bytes, 0),
    );
    assert.equal(stats.lastSeq, 12);
    assert.equal(stats.delivered, 3);
    assert.deepEqual(outbox.getSetting('devices'), [{ id: 'inverter-1', host: '127.0.0.1', port: 502 }]);
    outbox.close();

    const db = new Database(path, { readonly: true });
    assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
    const columns = (db.pragma('table_info(batches)') as { name: string }[]).map((c) => c.name);
    assert.deepEqual(columns, ['seq', 'created_at', 'bytes', 'delivered_at', 'jwt']);
    assert.deepEqual(db.prepare('SELECT * FROM acks ORDER BY seq, uplink').all(), before.acks);
    assert.deepEqual(db.prepare('SELECT * FROM settings ORDER BY key').all(), before.settings);
    assert.deepEqual(db.prepare('SELECT * FROM meta ORDER BY key').all(), before.meta);
    db.close();
  });

  it('continues the seq after the upgrade and decodes the new rows from their JWT', () => {
    const outbox = openOutbox();
    const harvest = { device: 'inverter-1', profile: 'sunspec', ts: 1_767_001_000_000, read_ms: 4 };
    const appended = outbox.append({ model: 'sunspec', harvests: [harvest] });
    const [newest] = outbox.recent(1);
    assert.equal(appended?.seq, 13);
    assert.equal(newest?.jwt, appended?.jwt);
    assert.deepEqual(newest?.header, appended?.header);
    assert.deepEqual(newest?.payload, { [String(harvest.ts)]: harvest });
    outbox.close();
  });
});
