import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../server/src/core/clock.ts';
import { silentLogger } from '../../../server/src/core/logger.ts';
import type { Reading } from '../../../server/src/core/reading.ts';
import type { GatewayIdentity } from '../../../server/src/identity/gateway-identity.ts';
import { Batcher, type BatchSink } from '../../../server/src/harvest/batcher.ts';
import { createBatch, type SignedBatch } from '../../../server/src/identity/batch-jwt.ts';

type Stored = SignedBatch & { seq: number };

function setup(options: { batchSize?: number; lastSeq?: number; failAppend?: () => boolean } = {}) {
  const clock = new ManualClock();
  const stored: Stored[] = [];
  const identity = {
    serial: 'EGW-TEST',
    signJwt: (header: Record<string, unknown>, payload: unknown) =>
      `${JSON.stringify(header)}.${JSON.stringify(payload)}.sig`,
  } as GatewayIdentity;
  // Like the outbox: the seq is assigned (and only consumed) inside the commit.
  let lastSeq = options.lastSeq ?? 0;
  const sink: BatchSink = {
    append: (input) => {
      if (options.failAppend?.()) throw new Error('disk full');
      const batch = { ...createBatch(identity, input, lastSeq + 1), seq: lastSeq + 1 };
      lastSeq++;
      stored.push(batch);
      return batch;
    },
  };
  const batcher = new Batcher({
    sink,
    clock,
    logger: silentLogger(),
    limits: () => ({ batchSize: options.batchSize ?? 3, batchMaxAgeMs: 5000 }),
  });
  const reading = (device: string, ts: number): Reading => ({
    device,
    profile: device === 'meter' ? 'sdm630' : 'sunspec',
    ts,
    read_ms: 3,
  });
  return { clock, stored, batcher, reading };
}

test('seals a batch per device every batchSize harvests, with the header DESIGN.md specifies', () => {
  const { stored, batcher, reading } = setup({ batchSize: 2 });
  batcher.add(reading('inv', 1000));
  batcher.add(reading('meter', 1000));
  assert.equal(stored.length, 0);
  batcher.add(reading('inv', 2000));
  assert.equal(stored.length, 1);
  const [batch] = stored;
  assert.deepEqual(batch?.header, {
    alg: 'ES256K',
    typ: 'JWT',
    device: 'EGW-TEST',
    opr: 'production',
    model: 'sunspec',
    seq: 1,
  });
  assert.deepEqual(Object.keys(batch?.payload ?? {}), ['1000', '2000']);
  assert.equal(batch?.jwt, `${JSON.stringify(batch?.header)}.${JSON.stringify(batch?.payload)}.sig`);
  batcher.add(reading('meter', 2000));
  assert.equal(stored[1]?.header.model, 'sdm630');
  assert.equal(stored[1]?.seq, 2);
  assert.equal(batcher.pending(), 0);
});

test('seq continues from the outbox', () => {
  const { stored, batcher, reading } = setup({ batchSize: 1, lastSeq: 41 });
  batcher.add(reading('inv', 1));
  batcher.add(reading('inv', 2));
  assert.deepEqual(
    stored.map((b) => b.seq),
    [42, 43],
  );
});

test('seals a partial batch once its first harvest is batchMaxAgeMs old', async () => {
  const { clock, stored, batcher, reading } = setup({ batchSize: 10 });
  batcher.add(reading('inv', 1));
  await clock.advance(4999);
  batcher.sweep();
  assert.equal(stored.length, 0);
  await clock.advance(1);
  batcher.sweep();
  assert.equal(stored.length, 1);
  assert.equal(Object.keys(stored[0]?.payload ?? {}).length, 1);
});

test('flush seals every partial batch', () => {
  const { stored, batcher, reading } = setup({ batchSize: 10 });
  batcher.add(reading('inv', 1));
  batcher.add(reading('meter', 1));
  batcher.flush();
  assert.deepEqual(
    stored.map((b) => [b.seq, b.header.model]),
    [
      [1, 'sunspec'],
      [2, 'sdm630'],
    ],
  );
});

test('a failed commit keeps the harvests open for the next try', () => {
  let fail = true;
  const { stored, batcher, reading } = setup({ batchSize: 2, failAppend: () => fail });
  batcher.add(reading('inv', 1));
  batcher.add(reading('inv', 2));
  assert.equal(stored.length, 0);
  assert.equal(batcher.pending(), 2);
  fail = false;
  batcher.add(reading('inv', 3));
  assert.equal(stored[0]?.seq, 1);
  assert.deepEqual(Object.keys(stored[0]?.payload ?? {}), ['1', '2', '3']);
});

test('keeps payload keys unique when a wall clock repeats a timestamp', () => {
  const { stored, batcher, reading } = setup({ batchSize: 2 });
  batcher.add(reading('inv', 5000));
  batcher.add(reading('inv', 5000));
  assert.deepEqual(Object.keys(stored[0]?.payload ?? {}), ['5000', '5001']);
});
