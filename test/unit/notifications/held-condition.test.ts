import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../server/src/core/clock.ts';
import { HeldCondition } from '../../../server/src/notifications/held-condition.ts';

test('raises a subject only after its condition held for afterMs, clears on release', async () => {
  const clock = new ManualClock();
  const events: string[] = [];
  const held = new HeldCondition({
    clock,
    name: 'held',
    afterMs: 60_000,
    raise: (s) => events.push(`raise ${s}`),
    clear: (s) => events.push(`clear ${s}`),
  });
  held.hold('a');
  await clock.advance(30_000);
  held.hold('a'); // still the first episode: the minute counts from the first hold
  held.hold('b');
  await clock.advance(30_000);
  assert.deepEqual(events, ['raise a']);
  held.release('b'); // released before its minute: never raised
  await clock.advance(60_000);
  assert.deepEqual(events, ['raise a', 'clear b']);
  held.keepOnly(['b']);
  assert.deepEqual(events, ['raise a', 'clear b', 'clear a']);
  assert.deepEqual(held.subjects(), []);
  assert.deepEqual(clock.pendingTimers(), []);
});
