/**
 * The API against the real gateway and simulator (not fakes): readings, frequency samples, stats with
 * Modbus counters, live events, metrics from real Modbus traffic, adding and removing a device.
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { get, type IncomingMessage } from 'node:http';
import { startDemo, type Demo } from '../../e2e/dashboard-harness.ts';
import { parsePrometheusText } from './prometheus-text.ts';
import { assertDocumentedResponse } from '../openapi-responses.ts';

let demo: Demo;
before(async () => {
  demo = await startDemo();
});
after(() => demo?.stop());

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of any shape
async function json(path: string, init?: RequestInit): Promise<{ status: number; body: any }> {
  const response = await fetch(demo.base + path, init);
  return { status: response.status, body: await response.json() };
}

async function eventually<T>(fn: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

it('serves real readings, frequency samples and stats', async () => {
  const inverter = demo.simulator.devices[0]!;
  const reading = await eventually(async () => {
    const r = await json(`/api/devices/${inverter.id}/reading`);
    return r.status === 200 ? r.body : undefined;
  }, 'a reading');
  assert.equal(reading.device, inverter.id);
  assert.ok(reading.ac_power_w > 0);
  assert.ok(reading.grid_frequency_hz > 45 && reading.grid_frequency_hz < 65);
  const freq = await json(`/api/devices/${inverter.id}/frequency`);
  assert.ok(freq.body.stats.count > 0);
  const stats = await json('/api/stats');
  assert.ok(stats.body.engine.frequency.runs > 0);
  const dev = stats.body.devices.find((d: { id: string }) => d.id === inverter.id);
  assert.equal(dev.state, 'connected');
  assert.ok(dev.requests > 0);
  assert.equal(typeof stats.body.outbox.depth, 'number');
});

it('streams live frequency samples from the devices', async () => {
  const res = await new Promise<IncomingMessage>((resolve, reject) =>
    get(`${demo.base}/api/events`, resolve).on('error', reject),
  );
  const contentType = res.headers['content-type'] ?? null;
  assertDocumentedResponse({ method: 'GET', path: '/api/events', status: res.statusCode ?? 0, contentType });
  let text = '';
  res.setEncoding('utf8');
  res.on('data', (c: string) => (text += c));
  await eventually(
    async () => (text.includes('event: frequency') && text.includes('event: reading') ? true : undefined),
    'events',
  );
  res.destroy();
});

it('metrics carry Modbus latency from real traffic', async () => {
  const response = await fetch(`${demo.base}/metrics`);
  const families = parsePrometheusText(await response.text());
  const inverter = demo.simulator.devices[0]!;
  const count = families
    .get('egw_modbus_request_duration_seconds')
    ?.samples.find(
      (s) => s.name.endsWith('_count') && s.labels.device === inverter.id && s.labels.outcome === 'ok',
    );
  assert.ok((count?.value ?? 0) > 0);
  assert.ok(families.get('egw_grid_frequency_hz')?.samples.some((s) => s.labels.device === inverter.id));
});

it('adds and removes a device with the token, refuses without it', async () => {
  const inverter = demo.simulator.devices[0]!;
  const body = JSON.stringify({
    id: 'extra',
    type: 'tcp',
    host: inverter.host,
    port: inverter.port,
    unit: 7,
    profile: 'sunspec',
  });
  const headers = { 'content-type': 'application/json' };
  assert.equal((await json('/api/devices', { method: 'POST', headers, body })).status, 401);
  const auth = { ...headers, authorization: `Bearer ${demo.token}` };
  const added = await json('/api/devices', { method: 'POST', headers: auth, body });
  assert.equal(added.status, 201, JSON.stringify(added.body));
  assert.equal((await json('/api/devices/extra')).body.config.unit, 7);
  assert.equal((await json('/api/devices/extra', { method: 'DELETE', headers: auth })).status, 200);
  assert.equal((await json('/api/devices/extra')).status, 404);
});

it('Wi-Fi answers 200 or a clear 501 on this box, never a bare 5xx', async () => {
  const wifi = await json('/api/wifi', { headers: { authorization: `Bearer ${demo.token}` } });
  assert.ok(wifi.status === 200 || wifi.status === 501, `${wifi.status} ${JSON.stringify(wifi.body)}`);
  if (wifi.status === 501) assert.equal(wifi.body.error.code, 'not_available');
});
