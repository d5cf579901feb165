import { it } from 'node:test';
import assert from 'node:assert/strict';
import { ExpensiveRouteLimiter } from '../../../server/src/api/expensive-route-limit.ts';

it('lets a client have perClient expensive reads in flight and frees a slot when one ends', () => {
  const limiter = new ExpensiveRouteLimiter({ perClient: 2, total: 8 });
  const a = limiter.acquire('10.0.0.1');
  const b = limiter.acquire('10.0.0.1');
  assert.ok(a && b);
  assert.equal(limiter.acquire('10.0.0.1'), undefined, 'a third one of the same client is refused');
  assert.ok(limiter.acquire('10.0.0.2'), 'another client still gets one');
  a();
  a(); // releasing twice frees one slot only
  assert.ok(limiter.acquire('10.0.0.1'));
  assert.equal(limiter.acquire('10.0.0.1'), undefined);
  assert.equal(limiter.refused, 2);
});

it('bounds the expensive reads of all clients together', () => {
  const limiter = new ExpensiveRouteLimiter({ perClient: 2, total: 3 });
  assert.ok(limiter.acquire('a') && limiter.acquire('b') && limiter.acquire('c'));
  assert.equal(limiter.acquire('d'), undefined);
  assert.equal(limiter.active, 3);
});
