import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RingBuffer } from '../../../server/src/harvest/ring-buffer.ts';

test('keeps the newest items, oldest first, once it wraps', () => {
  const ring = new RingBuffer<number>(3);
  for (let i = 1; i <= 5; i++) ring.push(i);
  assert.equal(ring.length, 3);
  assert.deepEqual(ring.toArray(), [3, 4, 5]);
});

test('returns only the newest `limit` items', () => {
  const ring = new RingBuffer<number>(4);
  for (let i = 1; i <= 3; i++) ring.push(i);
  assert.deepEqual(ring.toArray(2), [2, 3]);
  assert.deepEqual(ring.toArray(10), [1, 2, 3]);
  assert.deepEqual(ring.toArray(0), []);
});

test('clear empties it', () => {
  const ring = new RingBuffer<string>(2);
  ring.push('a');
  ring.clear();
  assert.equal(ring.length, 0);
  assert.deepEqual(ring.toArray(), []);
});

test('rejects a capacity below one', () => {
  assert.throws(() => new RingBuffer(0), /capacity 0/);
});
