import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RegisterCache } from '../../../server/src/modbus/register-cache.ts';

describe('RegisterCache', () => {
  it('answers a range inside a polled block from that poll', () => {
    const cache = new RegisterCache();
    cache.record(1, 3, 100, [10, 11, 12, 13], 1000);
    assert.deepEqual(cache.lookup(1, 3, 101, 2, 500, 1200), { values: [11, 12], ageMs: 200 });
  });

  it('misses when the poll is older than the tolerance, on another unit or function, or partly outside', () => {
    const cache = new RegisterCache();
    cache.record(1, 3, 100, [10, 11, 12, 13], 1000);
    assert.equal(cache.lookup(1, 3, 100, 2, 500, 1501), undefined);
    assert.equal(cache.lookup(2, 3, 100, 2, 500, 1000), undefined);
    assert.equal(cache.lookup(1, 4, 100, 2, 500, 1000), undefined);
    assert.equal(cache.lookup(1, 3, 102, 3, 500, 1000), undefined);
  });

  it('serves the newest covering poll and never mixes polls', () => {
    const cache = new RegisterCache();
    cache.record(1, 4, 0, [1, 2, 3, 4], 1000);
    cache.record(1, 4, 2, [30, 40], 1100);
    assert.deepEqual(cache.lookup(1, 4, 2, 2, 1000, 1150)!.values, [30, 40]);
    assert.deepEqual(cache.lookup(1, 4, 1, 2, 1000, 1150)!.values, [2, 3]);
    cache.record(1, 4, 0, [5, 6, 7, 8], 1200);
    assert.deepEqual(cache.lookup(1, 4, 1, 3, 1000, 1250)!.values, [6, 7, 8]);
  });
});
