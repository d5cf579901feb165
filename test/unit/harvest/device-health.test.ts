import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../server/src/core/clock.ts';
import { DeviceHealth } from '../../../server/src/harvest/device-health.ts';

test('backs off after a failure, doubling up to the cap, and reports transitions once', async () => {
  const clock = new ManualClock();
  const health = new DeviceHealth(clock, { initialBackoffMs: 500, maxBackoffMs: 2000, jitter: 0 });
  assert.equal(health.mayRead(), true);
  assert.equal(health.failed('no answer'), 'backoff');
  assert.equal(health.mayRead(), false);
  await clock.advance(500);
  assert.equal(health.mayRead(), true);
  assert.equal(health.failed('no answer'), undefined, 'already backing off: no new transition');
  await clock.advance(999);
  assert.equal(health.mayRead(), false, 'second backoff is 1000 ms');
  await clock.advance(1);
  health.failed('x');
  health.failed('x');
  await clock.advance(1999);
  assert.equal(health.mayRead(), false);
  await clock.advance(1);
  assert.equal(health.mayRead(), true, 'capped at 2000 ms');
  assert.equal(health.consecutiveFailures, 4);
  assert.equal(health.lastError, 'x');
});

test('a success ends the backoff and reports connected only on change', () => {
  const health = new DeviceHealth(new ManualClock());
  assert.equal(health.succeeded(), 'connected');
  assert.equal(health.succeeded(), undefined);
  health.failed('down');
  assert.equal(health.succeeded(), 'connected');
  assert.equal(health.mayRead(), true);
  assert.equal(health.lastError, undefined);
});
