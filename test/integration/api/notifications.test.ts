import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from './api-harness.ts';

describe('GET /api/notifications, POST /api/notifications/:id/ack', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it('lists active and recently cleared notifications; ack marks one, unknown ids are 404', async () => {
    const raised = h.fake.notifications.raise({ code: 'device_failing', device: 'inv1', message: 'silent' });
    h.fake.notifications.raise({ code: 'disk_low', subject: '/data', message: 'low' });
    h.fake.notifications.clear({ code: 'disk_low', subject: '/data' });
    const list = await h.request('GET', '/api/notifications', { token: null });
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.json.active.map((n: { code: string }) => n.code),
      ['device_failing'],
    );
    assert.equal(list.json.recent[0].code, 'disk_low');
    assert.equal(typeof list.json.recent[0].cleared, 'number');

    const ack = await h.request('POST', `/api/notifications/${raised.id}/ack`);
    assert.equal(ack.status, 200);
    assert.equal(ack.json.acked, true);
    assert.equal((await h.request('GET', '/api/notifications')).json.active[0].acked, true);

    const unknown = await h.request('POST', '/api/notifications/4242/ack');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.error.field, 'id');
    const bad = await h.request('POST', '/api/notifications/abc/ack');
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.field, 'id');
  });
});
