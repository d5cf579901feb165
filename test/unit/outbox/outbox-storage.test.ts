/**
 * Storage edge cases of the outbox on a real SQLite file: a corrupt database is moved aside and a new
 * one started; the WAL is checkpointed by size (a small disk has no room for SQLite's default ~4 MB);
 * batches the disk refused are never dropped at close without a word.
 */
import { afterEach, beforeEach, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdtempSync,
  openSync,
  closeSync,
  readdirSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../server/src/core/clock.ts';
import { createBatch } from '../../../server/src/identity/batch-jwt.ts';
import { loadOrCreateDeviceKey, type DeviceKey } from '../../../server/src/identity/device-key.ts';
import { Outbox, type OutboxOptions } from '../../../server/src/outbox/outbox.ts';
import { fullReading } from '../../fixtures/prefill-outbox.ts';
import { captureLogger } from '../../integration/gateway/fake-device-gateway.ts';

let dir: string;
let key: DeviceKey;
let ts = 1_767_225_600_000;
const batch = (n = 10) => ({
  model: 'sunspec',
  harvests: Array.from({ length: n }, () => fullReading('inv0', (ts += 1000))),
});
const open = (options: Partial<OutboxOptions> = {}) =>
  Outbox.open(join(dir, 'egw.db'), {
    sign: (i, seq) => createBatch(key, i, seq),
    clock: new ManualClock(),
    ...options,
  });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'egw-outbox-storage-'));
  key = loadOrCreateDeviceKey(dir);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('moves a database with a corrupt page aside and starts a new one', () => {
  const first = open();
  for (let i = 0; i < 50; i++) first.append(batch());
  first.close();
  const fd = openSync(join(dir, 'egw.db'), 'r+');
  writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, 3 * 4096); // a page in the middle of the batches
  closeSync(fd);
  const { logger, lines } = captureLogger('error');
  const outbox = open({ logger });
  try {
    assert.ok(outbox.recovered, 'the corruption was noticed at open');
    assert.ok(existsSync(outbox.recovered.movedTo));
    assert.equal(outbox.stats().lastSeq, 0, 'a new, empty database');
    assert.ok(outbox.append(batch()), 'and commits work again');
    assert.ok(lines.some((l) => /corrupt: moved it aside/.test(String(l.msg))));
  } finally {
    outbox.close();
  }
  assert.ok(readdirSync(dir).some((f) => f.startsWith('egw.db.corrupt-')));
});

it('checkpoints the WAL by size, so it never needs SQLite’s default ~4 MB of headroom', () => {
  const outbox = open();
  let maxWal = 0;
  try {
    for (let i = 0; i < 300; i++) {
      outbox.append(batch()); // ~6 KB each: 1.8 MB in all
      maxWal = Math.max(maxWal, statSync(join(dir, 'egw.db-wal')).size);
    }
  } finally {
    outbox.close();
  }
  assert.ok(maxWal < 1.3 * 1024 * 1024, `WAL grew to ${maxWal} bytes`);
});

it('logs and counts batches still held for the disk at close instead of dropping them in silence', () => {
  const { logger, lines } = captureLogger('error');
  // A database capped at a few pages behaves like a full disk.
  const outbox = open({ logger, maxDbBytes: 64 * 1024 });
  let refused = 0;
  for (let i = 0; i < 40; i++) if (outbox.append(batch()) === null) refused++;
  assert.ok(refused > 0, 'the cap was reached');
  const discarded = outbox.close();
  assert.equal(discarded, refused);
  assert.ok(lines.some((l) => l.discarded === refused && /they are lost/.test(String(l.msg))));
});
