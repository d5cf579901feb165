/**
 * Load shedding over real HTTP: the "behind" condition is forced by feeding late sampling runs through
 * the metrics' task observer (the path the engine reports through); minRequestsPerS 0 makes every
 * request rate count as busy. Heavy reads then get 503 + Retry-After + the error envelope, while
 * liveness, an authorized write and preflights are served.
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../server/src/core/clock.ts';
import { startHarness, type Harness } from './api-harness.ts';

const SHEDDING = { lagMs: 20, windowMs: 60_000, minRequestsPerS: 0 };

let h: Harness;
before(async () => {
  h = await startHarness({ shedding: SHEDDING });
});
after(() => h.close());

function reportLateRuns(count: number): void {
  for (let i = 0; i < count; i++) {
    h.metrics.taskObserver.runFinished?.({
      name: `frequency:inv${i}`,
      kind: 'frequency',
      lagMs: 80,
      durationMs: 5,
      failed: false,
    });
  }
}

it('serves everything while sampling keeps time, and shows the state in /api/stats', async () => {
  const stats = await h.request('GET', '/api/stats');
  assert.equal(stats.status, 200);
  assert.equal(stats.json.api.shedding, false);
  assert.equal(stats.json.api.shedRequests, 0);
  assert.equal((await h.request('GET', '/metrics')).status, 200);
});

it('answers heavy reads 503 with Retry-After and the envelope once sampling is behind', async () => {
  reportLateRuns(50);
  for (const path of ['/api/stats', '/metrics', '/api/harvests', '/api/openapi.json', '/dashboard.js']) {
    const r = await h.request('GET', path);
    assert.equal(r.status, 503, path);
    assert.equal(r.headers.get('retry-after'), '60', path);
    assert.equal(r.json.error.code, 'overloaded', path);
    assert.equal(r.json.error.field, 'request', path);
    assert.match(r.json.error.message, /sampling is running late .* retry after 60 s/, path);
  }
});

it('still serves liveness, an authorized write and a preflight while shedding', async () => {
  const hello = await h.request('GET', '/api/hello');
  assert.equal(hello.status, 200);
  assert.equal(hello.json.hello, 'egw');
  const added = await h.request('POST', '/api/devices', {
    body: { type: 'tcp', host: '10.0.0.9', profile: 'huawei' },
  });
  assert.equal(added.status, 201);
  const unauthorized = await h.request('POST', '/api/devices', { body: {}, token: null });
  assert.equal(unauthorized.status, 401, 'writes are not shed: a wrong token still gets 401');
  assert.equal((await h.request('OPTIONS', '/api/stats')).status, 204);
});

it('counts the refusals in egw_api_shed_requests_total', async () => {
  const counter = await h.metrics.shedRequests.get();
  assert.equal(counter.values[0]?.value, 5);
  const text = await h.metrics.registry.metrics();
  assert.match(text, /^egw_api_shed_requests_total 5$/m);
});

it('reuses the /api/stats body for 250 ms while the API is busy, and only then', async () => {
  const clock = new ManualClock();
  const busy = await startHarness({ shedding: SHEDDING }, clock);
  const calm = await startHarness({}, clock);
  try {
    const uptime = async (x: Harness): Promise<number> =>
      (await x.request('GET', '/api/stats')).json.uptimeMs;
    const first = await uptime(busy);
    const cached = await busy.request('GET', '/api/stats');
    assert.match(cached.headers.get('content-type') ?? '', /^application\/json/);
    const calmFirst = await uptime(calm);
    await clock.advance(249);
    assert.equal(await uptime(busy), first, 'busy: the copy is reused');
    assert.equal(await uptime(calm), calmFirst + 249, 'not busy: every answer is fresh');
    await clock.advance(1);
    assert.equal(await uptime(busy), first + 250, 'the copy expires after 250 ms');
  } finally {
    await busy.close();
    await calm.close();
  }
});
