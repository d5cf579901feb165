import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../server/src/core/clock.ts';
import { NotificationCenter } from '../../../server/src/notifications/notification-center.ts';

test('raises once per code and device, updates the message, clears into the history', async () => {
  const clock = new ManualClock();
  const center = new NotificationCenter({ clock });
  const changes: number[] = [];
  center.onChange((list) => changes.push(list.active.length));
  const first = center.raise({ code: 'device_failing', device: 'inv1', message: 'a' });
  assert.equal(first.severity, 'warning');
  assert.equal(first.since, clock.nowMs());
  await clock.advance(5000);
  const again = center.raise({ code: 'device_failing', device: 'inv1', message: 'b' });
  assert.equal(again.id, first.id, 'same condition, same notification');
  assert.equal(again.since, first.since);
  center.raise({ code: 'device_failing', device: 'inv1', message: 'b' });
  center.raise({ code: 'device_failing', device: 'inv2', message: 'c' });
  assert.deepEqual(changes, [1, 1, 2], 'an unchanged raise tells no one');
  assert.deepEqual(
    center.list().active.map((n) => n.device),
    ['inv2', 'inv1'],
    'newest first',
  );
  assert.equal(center.countByCode().device_failing, 2);
  assert.equal(center.countByCode().disk_low, 0);

  await clock.advance(1000);
  assert.equal(center.clear({ code: 'device_failing', device: 'inv1' }), true);
  assert.equal(center.clear({ code: 'device_failing', device: 'inv1' }), false);
  const { active, recent } = center.list();
  assert.deepEqual(
    active.map((n) => n.device),
    ['inv2'],
  );
  assert.equal(recent[0]?.id, first.id);
  assert.equal(recent[0]?.cleared, clock.nowMs());
  assert.equal(recent[0]?.message, 'b');

  const back = center.raise({ code: 'device_failing', device: 'inv1', message: 'd' });
  assert.notEqual(back.id, first.id, 'a condition that comes back is a new notification');
});

test('keeps a bounded history of recently cleared notifications', () => {
  const center = new NotificationCenter({ clock: new ManualClock(), historySize: 3 });
  for (let i = 0; i < 5; i++) {
    center.raise({ code: 'uplink_retrying', subject: `u${i}`, message: 'x' });
    center.clear({ code: 'uplink_retrying', subject: `u${i}` });
  }
  assert.deepEqual(
    center.list().recent.map((n) => n.subject),
    ['u4', 'u3', 'u2'],
  );
});

test('acknowledges active and cleared notifications by id; unknown ids are undefined', async () => {
  const clock = new ManualClock();
  const center = new NotificationCenter({ clock });
  const n = center.raise({ code: 'disk_low', subject: '/data', message: 'low' });
  await clock.advance(2000);
  const acked = center.ack(n.id);
  assert.equal(acked?.acked, true);
  assert.equal(acked?.ackedAt, clock.nowMs());
  assert.equal(center.list().active[0]?.acked, true, 'acknowledged, still active');
  center.clear({ code: 'disk_low', subject: '/data' });
  assert.equal(center.ack(n.id)?.acked, true, 'the history keeps the ack');
  assert.equal(center.ack('999'), undefined);
});

test('set() raises or clears by a boolean; a throwing listener does not undo the change', () => {
  const errors: unknown[] = [];
  const center = new NotificationCenter({ clock: new ManualClock(), onListenerError: (e) => errors.push(e) });
  center.onChange(() => {
    throw new Error('listener broke');
  });
  center.set(true, { code: 'storage_error', message: 'write failed' });
  assert.equal(center.isActive('storage_error'), true);
  assert.equal(center.list().active[0]?.severity, 'error');
  center.set(false, { code: 'storage_error', message: '' });
  assert.equal(center.isActive('storage_error'), false);
  assert.equal(errors.length, 2);
});
