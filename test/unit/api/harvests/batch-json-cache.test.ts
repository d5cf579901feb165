import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchJsonCache, batchJson } from '../../../../server/src/api/harvests/batch-json-cache.ts';
import { ManualClock } from '../../../../server/src/core/clock.ts';
import { createBatch } from '../../../../server/src/identity/batch-jwt.ts';
import { loadOrCreateDeviceKey } from '../../../../server/src/identity/device-key.ts';
import { Outbox } from '../../../../server/src/outbox/outbox.ts';
import { fullReading } from '../../../fixtures/prefill-outbox.ts';

it('writes byte for byte what JSON.stringify gives for the outbox record, without decoding the JWT', () => {
  const dir = mkdtempSync(join(tmpdir(), 'egw-batch-json-'));
  try {
    const key = loadOrCreateDeviceKey(dir);
    const outbox = Outbox.open(join(dir, 'egw.db'), {
      sign: (input, seq) => createBatch(key, input, seq, 3),
      clock: new ManualClock(),
    });
    const reading = { ...fullReading('inv-ü', 1_767_225_600_000), model: 'SG "10" \\ ünï €' };
    outbox.append({ model: 'sunspec', harvests: [reading, fullReading('b', 1_767_225_601_000)] });
    outbox.setUplinks(['http']);
    outbox.append({ model: 'sunspec', harvests: [fullReading('c', 1_767_225_602_000)] });
    outbox.ack(2, 'http');
    for (const record of outbox.recent(10)) {
      assert.equal(batchJson(record).toString('utf8'), JSON.stringify(record));
    }
    outbox.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('serves a batch from the cache until its acknowledgements change, and stays within its bytes', () => {
  const cache = new BatchJsonCache(3000);
  const jwt = (n: number) =>
    `${Buffer.from('{"seq":1}').toString('base64url')}.${Buffer.from(`{"x":"${'y'.repeat(n)}"}`).toString('base64url')}.sig`;
  const batch = { seq: 1, createdAt: 5, jwt: jwt(500), ackedBy: [] as string[] };
  const first = cache.json(batch);
  assert.equal(cache.json({ ...batch }), first, 'the same buffer: built once');
  const acked = cache.json({ ...batch, ackedBy: ['http'] });
  assert.notEqual(acked, first);
  assert.match(acked.toString(), /"ackedBy":\["http"\]\}$/);
  for (let seq = 2; seq <= 10; seq++) cache.json({ ...batch, seq });
  assert.ok(cache.size <= 3000, `${cache.size} bytes held`);
});
