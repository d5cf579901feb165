import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../server/src/core/clock.ts';
import { GatewayState, type GatewayStateView } from '../../../server/src/notifications/gateway-state.ts';
import { NotificationCenter } from '../../../server/src/notifications/notification-center.ts';

function setup(devices: { id: string; read: boolean }[]) {
  const clock = new ManualClock();
  const notifications = new NotificationCenter({ clock });
  const seen: GatewayStateView[] = [];
  const state = new GatewayState({
    clock,
    notifications,
    devices: () => devices,
    onChange: (v) => seen.push(v),
  });
  return { clock, notifications, state, seen };
}

test('starting until every device was read once, then running; a warning degrades, its clearing restores', async () => {
  const devices = [
    { id: 'inv1', read: false },
    { id: 'meter', read: true },
  ];
  const { clock, notifications, state, seen } = setup(devices);
  assert.equal(state.view().state, 'starting');
  state.started();
  assert.equal(state.view().state, 'starting', 'inv1 not read yet');
  assert.deepEqual(
    state.view().reasons.map((r) => [r.code, r.device]),
    [['awaiting_first_reading', 'inv1']],
  );
  await clock.advance(2000);
  devices[0]!.read = true;
  state.changed();
  assert.equal(state.view().state, 'running');
  assert.equal(state.view().since, clock.nowMs());

  const raised = notifications.raise({ code: 'device_failing', device: 'inv1', message: 'silent' });
  assert.equal(state.view().state, 'degraded', 'told by the notification center itself');
  assert.deepEqual(state.view().reasons[0], {
    code: 'device_failing',
    severity: 'warning',
    message: 'silent',
    device: 'inv1',
    notification: raised.id,
  });
  notifications.raise({ code: 'provisioning_window_open', message: 'open' });
  assert.equal(state.view().reasons.length, 2, 'info notifications are reasons too');
  notifications.clear({ code: 'device_failing', device: 'inv1' });
  assert.equal(state.view().state, 'running', 'an info notification alone does not degrade');

  state.stopping();
  assert.equal(state.view().state, 'stopping');
  notifications.raise({ code: 'storage_error', message: 'x' });
  assert.equal(state.view().state, 'stopping', 'stopping stays stopping');
  assert.deepEqual(
    seen.map((v) => v.state),
    ['starting', 'running', 'degraded', 'degraded', 'running', 'stopping'],
  );
});

test('a device never read ends the start-up after a minute (it becomes a notification instead)', async () => {
  const { clock, state } = setup([{ id: 'inv1', read: false }]);
  state.started();
  await clock.advance(59_000);
  assert.equal(state.view().state, 'starting');
  await clock.advance(1000);
  assert.equal(state.view().state, 'running');
});

test('unprovisioned without devices; degraded reasons still listed', () => {
  const { notifications, state } = setup([]);
  state.started();
  assert.equal(state.view().state, 'unprovisioned');
  assert.equal(state.view().reasons[0]?.code, 'no_devices');
  notifications.raise({ code: 'disk_low', subject: '/data', message: 'low' });
  assert.equal(state.view().state, 'unprovisioned');
  assert.deepEqual(
    state.view().reasons.map((r) => r.code),
    ['no_devices', 'disk_low'],
  );
});
