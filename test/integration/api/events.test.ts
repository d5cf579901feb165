import { afterEach, beforeEach, it } from 'node:test';
import assert from 'node:assert/strict';
import { get, type IncomingMessage } from 'node:http';
import { ManualClock } from '../../../server/src/core/clock.ts';
import { startHarness, type Harness } from './api-harness.ts';
import { assertDocumentedResponse } from '../openapi-responses.ts';

let h: Harness;
let clock: ManualClock;
beforeEach(async () => {
  clock = new ManualClock();
  h = await startHarness({ events: { heartbeatMs: 15_000 } }, clock);
});
afterEach(() => h.close());

/** Opens the stream and collects raw text. */
async function open(query = ''): Promise<{ res: IncomingMessage; text: () => string; close: () => void }> {
  const res = await new Promise<IncomingMessage>((resolve, reject) =>
    get(`${h.base}/api/events${query}`, resolve).on('error', reject),
  );
  const contentType = res.headers['content-type'] ?? null;
  assertDocumentedResponse({
    method: 'GET',
    path: `/api/events${query}`,
    status: res.statusCode ?? 0,
    contentType,
  });
  let buffer = '';
  res.setEncoding('utf8');
  res.on('data', (c: string) => (buffer += c));
  return { res, text: () => buffer, close: () => res.destroy() };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setImmediate(r));
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(check(), what);
}

it('streams readings, state changes and throttled frequency samples', async () => {
  const s = await open();
  assert.equal(s.res.statusCode, 200);
  assert.match(String(s.res.headers['content-type']), /^text\/event-stream/);
  await until(() => h.fake.services.bus.listenerCount('reading') > 1, 'subscribed');
  h.fake.emitReading('inv1', { ac_power_w: 4242 });
  h.fake.services.bus.emit('device-state', { device: 'inv1', state: 'backoff', error: 'refused' });
  h.fake.services.bus.emit('uplink-state', { uplink: 'http', state: 'retrying', since: 1 });
  h.fake.emitFrequency('inv1', 50.1);
  h.fake.emitFrequency('inv1', 50.2); // same instant: throttled (≤ 10/s per device)
  h.fake.emitFrequency('inv2', 49.9); // another device has its own budget
  await clock.advance(100);
  h.fake.emitFrequency('inv1', 50.3);
  await until(() => s.text().includes('50.3'), 'third sample arrives');
  const text = s.text();
  assert.match(text, /event: reading\ndata: \{[^\n]*"ac_power_w":4242/);
  assert.match(text, /event: device-state\ndata: \{"device":"inv1","state":"backoff"/);
  assert.match(text, /event: uplink-state\n/);
  assert.ok(text.includes('"hz":50.1'));
  assert.ok(!text.includes('"hz":50.2'), 'throttled');
  assert.ok(text.includes('"hz":49.9'));
  s.close();
});

it('?frequency=0 mutes frequency samples but not readings', async () => {
  const s = await open('?frequency=0');
  await until(() => h.fake.services.bus.listenerCount('frequency') > 0, 'subscribed');
  h.fake.emitFrequency('inv1', 50.5);
  h.fake.emitReading('inv1', { ac_power_w: 777 });
  await until(() => s.text().includes('777'), 'reading arrives');
  assert.ok(!s.text().includes('event: frequency'));
  s.close();
});

it('sends heartbeat comments and unsubscribes when the last client leaves', async () => {
  const before = h.fake.services.bus.listenerCount('reading');
  const s = await open();
  await until(() => h.fake.services.bus.listenerCount('reading') === before + 1, 'subscribed');
  await clock.advance(15_000);
  await until(() => s.text().includes(': heartbeat'), 'heartbeat');
  s.close();
  await until(() => h.fake.services.bus.listenerCount('reading') === before, 'unsubscribed');
});

it('rejects a bad query with 400 naming the parameter', async () => {
  const r = await h.request('GET', '/api/events?frequency=99');
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'frequency');
});

it('drops a client that stops reading instead of buffering without bound', async () => {
  const s = await open();
  s.res.pause();
  await until(() => h.fake.services.bus.listenerCount('reading') > 1, 'subscribed');
  for (let i = 0; i < 2000; i++) h.fake.emitReading('inv1', { model: 'x'.repeat(2000) });
  const stats = await h.request('GET', '/api/stats');
  assert.equal(stats.json.events.dropped, 1);
  assert.equal(stats.json.events.clients, 0);
  s.close();
});

it('sends the gateway state first, then every change of it', async () => {
  const s = await open();
  await until(() => s.text().includes('event: state'), 'state on connect');
  assert.match(s.text(), /^retry: 2000\n\nevent: state\ndata: \{"state":"running"/);
  h.fake.notifications.raise({ code: 'uplink_retrying', subject: 'http', message: 'refused for 5 min' });
  await until(() => s.text().includes('"state":"degraded"'), 'degraded arrives');
  assert.match(s.text(), /event: state\ndata: \{"state":"degraded",[^\n]*"code":"uplink_retrying"/);
  const state = await h.request('GET', '/api/state');
  assert.equal(state.json.state, 'degraded');
  assert.equal(state.json.reasons[0].subject, 'http');
  h.fake.notifications.clear({ code: 'uplink_retrying', subject: 'http' });
  await until(() => s.text().split('"state":"running"').length === 3, 'running again');
  s.close();
});
