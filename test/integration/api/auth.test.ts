import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from './api-harness.ts';

/** Every route that needs the token, as [method, concrete path, a valid body]. */
const PROTECTED: [string, string, unknown?][] = [
  ['POST', '/api/devices', { type: 'tcp', host: 'x', profile: 'sunspec' }],
  ['POST', '/api/inverter', { ip: '10.0.0.1', type: 'huawei' }],
  ['DELETE', '/api/devices/inv1'],
  ['GET', '/api/settings'],
  ['POST', '/api/settings', { harvest: { batchSize: 5 } }],
  ['GET', '/api/wifi'],
  ['POST', '/api/wifi', { ssid: 'home' }],
  ['POST', '/api/initialize', { wallet: `0x${'1'.repeat(40)}` }],
  ['POST', '/api/notifications/1/ack'],
  ['GET', '/api/logger'],
  ['POST', '/api/logger', { part: 'api', level: 'info', durationMs: 1000 }],
];

describe('token auth', () => {
  let h: Harness;
  before(async () => {
    // A high limit so this suite's many wrong tokens are not rate-limited.
    h = await startHarness({ authRateLimit: { maxFailures: 1000, windowMs: 60_000 } });
    // Notification "1", for POST /api/notifications/1/ack.
    h.fake.notifications.raise({ code: 'disk_low', subject: '/data', message: 'test' });
  });
  after(() => h.close());

  it('the list above is every route the OpenAPI document marks as needing the token', async () => {
    const doc = (await h.request('GET', '/api/openapi.json')).json;
    const secured: string[] = [];
    for (const [path, ops] of Object.entries(
      doc.paths as Record<string, Record<string, { security?: unknown }>>,
    )) {
      for (const [method, op] of Object.entries(ops))
        if (Array.isArray(op.security) && op.security.length > 0)
          secured.push(`${method.toUpperCase()} ${path}`);
    }
    const listed = PROTECTED.map(([m, p]) => `${m} ${p.replace(/\/(inv1|1)(?=\/|$)/, '/{id}')}`);
    assert.deepEqual([...new Set(listed)].sort(), secured.sort());
  });

  for (const [method, path, body] of PROTECTED) {
    it(`${method} ${path}: 401 without a token, 401 with a wrong one, not 401 with the right one`, async () => {
      const before = h.fake.devices.list().length;
      const none = await h.request(method, path, { body, token: null });
      assert.equal(none.status, 401);
      assert.equal(none.json.error.field, 'authorization');
      assert.match(none.headers.get('www-authenticate') ?? '', /Bearer/);
      for (const wrong of ['wrong', 'test-token-', 'TEST-TOKEN', '']) {
        const bad = await h.request(method, path, { body, token: wrong });
        assert.equal(bad.status, 401, `token "${wrong}"`);
      }
      const basic = await h.request(method, path, {
        body,
        token: null,
        headers: { authorization: 'Basic dGVzdC10b2tlbg==' },
      });
      assert.equal(basic.status, 401);
      assert.equal(h.fake.devices.list().length, before, 'nothing changed without the token');
      const good = await h.request(method, path, { body });
      assert.ok(good.status < 300, `${good.status} ${good.text}`);
    });
  }

  it('public reads need no token', async () => {
    for (const path of [
      '/api/hello',
      '/api/devices',
      '/api/stats',
      '/api/crypto',
      '/metrics',
      '/api/openapi.json',
    ]) {
      assert.equal((await h.request('GET', path, { token: null })).status, 200, path);
    }
  });
});

describe('failed-auth rate limit', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ authRateLimit: { maxFailures: 3, windowMs: 60_000 } });
  });
  after(() => h.close());

  it('answers wrong tokens 429 with Retry-After after too many failures; the right token still passes', async () => {
    for (let i = 0; i < 3; i++)
      assert.equal((await h.request('GET', '/api/settings', { token: 'nope' })).status, 401);
    const limited = await h.request('GET', '/api/settings', { token: 'nope' });
    assert.equal(limited.status, 429);
    assert.equal(limited.json.error.field, 'authorization');
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    // Someone else's bad guesses from the same address (a NAT, the loopback) must not lock the owner out.
    assert.equal((await h.request('GET', '/api/settings')).status, 200);
    assert.equal((await h.request('GET', '/api/settings', { token: 'nope' })).status, 429, 'still limited');
    assert.equal((await h.request('GET', '/api/hello')).status, 200, 'public reads stay open');
  });
});

describe('CORS', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ corsOrigins: ['http://installer.local'] });
  });
  after(() => h.close());

  it('opens only to listed origins', async () => {
    const pre = await h.request('OPTIONS', '/api/devices', {
      token: null,
      headers: { origin: 'http://installer.local', 'access-control-request-method': 'POST' },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), 'http://installer.local');
    assert.match(pre.headers.get('access-control-allow-headers') ?? '', /Authorization/);
    const post = await h.request('POST', '/api/devices', {
      headers: { origin: 'http://installer.local' },
      body: { type: 'tcp', host: 'x', profile: 'sunspec' },
    });
    assert.equal(post.status, 201);
    const other = await h.request('GET', '/api/hello', { headers: { origin: 'http://other.local' } });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
  });
});
