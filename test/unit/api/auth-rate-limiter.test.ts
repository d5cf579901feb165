import { it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../server/src/core/clock.ts';
import { AuthRateLimiter } from '../../../server/src/api/auth-rate-limiter.ts';
import { tokensEqual } from '../../../server/src/api/auth.ts';

it('blocks an address after maxFailures within the window and frees it when the window passes', async () => {
  const clock = new ManualClock();
  const limiter = new AuthRateLimiter(clock, { maxFailures: 3, windowMs: 60_000 });
  for (let i = 0; i < 3; i++) {
    assert.equal(limiter.retryAfterS('a'), 0);
    limiter.fail('a');
    await clock.advance(1000);
  }
  assert.equal(limiter.retryAfterS('a'), 57, 'the first failure leaves the window at 60 s');
  assert.equal(limiter.retryAfterS('b'), 0, 'other addresses unaffected');
  await clock.advance(57_000);
  assert.equal(limiter.retryAfterS('a'), 0);
});

it('keeps a bounded table of addresses', () => {
  const limiter = new AuthRateLimiter(new ManualClock(), {
    maxFailures: 1,
    windowMs: 60_000,
    maxAddresses: 10,
  });
  for (let i = 0; i < 100; i++) limiter.fail(`10.0.0.${i}`);
  assert.equal(limiter.retryAfterS('10.0.0.0'), 0, 'stalest forgotten');
  assert.ok(limiter.retryAfterS('10.0.0.99') > 0);
});

it('compares tokens of any length', () => {
  assert.ok(tokensEqual('abc', 'abc'));
  assert.ok(!tokensEqual('abc', 'abcd'));
  assert.ok(!tokensEqual('', 'abc'));
});
