import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { startHarness, type Harness } from './api-harness.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.close());

/** Asserts the error envelope and that it names the field. */
function assertError(
  answer: { status: number; json: { error?: { code?: string; field?: string; message?: string } } },
  status: number,
  field?: string,
): void {
  assert.equal(answer.status, status, JSON.stringify(answer.json));
  assert.equal(typeof answer.json.error?.code, 'string');
  assert.equal(typeof answer.json.error?.message, 'string');
  if (field !== undefined) assert.equal(answer.json.error?.field, field);
}

describe('system routes', () => {
  it('answers hello, version and uptime with the original msek field', async () => {
    assert.equal((await h.request('GET', '/api/hello')).json.serial, h.fake.services.identity.serial);
    assert.equal((await h.request('GET', '/api/version')).json.version, '0.1.0-test');
    const uptime = await h.request('GET', '/api/uptime');
    assert.equal(typeof uptime.json.msek, 'number');
    assert.ok(uptime.json.msek >= 0);
  });

  it('serves the public key with the original deviceName and serialNumber', async () => {
    const { json } = await h.request('GET', '/api/crypto');
    const id = h.fake.services.identity;
    assert.equal(json.publicKey, id.publicKeyHex);
    assert.equal(json.serialNumber, id.serial);
    assert.equal(json.alg, 'ES256K');
    assert.equal(json.jwk.crv, 'secp256k1');
    assert.match(json.deviceName, /^[a-z]+-[a-z]+-[a-z]+$/);
  });

  it('derives a three-word name when no backend is configured', async () => {
    const { json } = await h.request('GET', '/api/name');
    assert.equal(json.source, 'derived');
    assert.match(json.name, /^[a-z]+-[a-z]+-[a-z]+$/);
  });
});

describe('device routes', () => {
  it('lists devices with state and latest reading', async () => {
    const { status, json } = await h.request('GET', '/api/devices');
    assert.equal(status, 200);
    assert.equal(json.devices[0].id, 'inv1');
    assert.equal(json.devices[0].state, 'connected');
    assert.equal(json.devices[0].reading.ac_power_w, 2500);
  });

  it('adds a TCP device, generating its id, and answers 201 with Location', async () => {
    const a = await h.request('POST', '/api/devices', {
      body: { type: 'tcp', host: '10.0.0.9', profile: 'huawei' },
    });
    assert.equal(a.status, 201);
    assert.match(a.json.id, /^device-\d+$/);
    assert.equal(a.json.config.port, 502);
    assert.equal(a.headers.get('location'), `/api/devices/${a.json.id}`);
    assert.equal((await h.request('GET', `/api/devices/${a.json.id}`)).json.config.host, '10.0.0.9');
  });

  it('adds an RTU device with the given id', async () => {
    const a = await h.request('POST', '/api/devices', {
      body: { id: 'meter1', type: 'rtu', path: '/dev/ttyUSB0', baud: 9600, unit: 2, profile: 'sdm630' },
    });
    assert.equal(a.status, 201);
    assert.equal(a.json.config.path, '/dev/ttyUSB0');
  });

  it('keeps the original POST /api/inverter {ip, port, type, address}', async () => {
    const a = await h.request('POST', '/api/inverter', {
      body: { ip: '10.0.0.7', port: 1502, type: 'SolarEdge', address: 3, id: 'old1' },
    });
    assert.equal(a.status, 201);
    assert.deepEqual(
      {
        host: a.json.config.host,
        port: a.json.config.port,
        unit: a.json.config.unit,
        profile: a.json.config.profile,
      },
      { host: '10.0.0.7', port: 1502, unit: 3, profile: 'solaredge' },
    );
  });

  it("POST /api/inverter keeps the profile id sent and takes the profile's unit and port when absent", async () => {
    const view = async (body: Record<string, unknown>) => {
      const a = await h.request('POST', '/api/inverter', { body });
      assert.equal(a.status, 201, JSON.stringify(a.json));
      const c = a.json.config;
      return { profile: c.profile, unit: c.unit, port: c.port };
    };
    assert.deepEqual(await view({ ip: '10.0.0.8', type: 'SMA', id: 'old2' }), {
      profile: 'sma',
      unit: 3,
      port: 502,
    });
    assert.deepEqual(await view({ ip: '10.0.0.9', type: 'SolarEdge', id: 'old3' }), {
      profile: 'solaredge',
      unit: 1,
      port: 1502,
    });
    assert.deepEqual(await view({ ip: '10.0.0.10', type: 'Fronius', id: 'old4' }), {
      profile: 'fronius',
      unit: 1,
      port: 502,
    });
    assert.deepEqual(await view({ ip: '10.0.0.11', type: 'Kostal', id: 'old5' }), {
      profile: 'sunspec',
      unit: 1,
      port: 502,
    });
  });

  it('rejects bodies naming the offending field', async () => {
    assertError(
      await h.request('POST', '/api/devices', {
        body: { type: 'tcp', host: 'x', profile: 'p', port: 70000 },
      }),
      400,
      'port',
    );
    assertError(await h.request('POST', '/api/devices', { body: { type: 'modem' } }), 400, 'type');
    assertError(
      await h.request('POST', '/api/devices', { body: { type: 'tcp', host: 'x', profile: 'p', colour: 1 } }),
      400,
      'colour',
    );
    assertError(
      await h.request('POST', '/api/devices', { body: { type: 'tcp', profile: 'p' } }),
      400,
      'host',
    );
    assertError(await h.request('POST', '/api/devices', { body: [1] }), 400, 'body');
    assertError(
      await h.request('POST', '/api/devices', {
        raw: '{"type":',
        headers: { 'content-type': 'application/json' },
      }),
      400,
      'body',
    );
    assertError(await h.request('POST', '/api/devices'), 400, 'body');
    assertError(
      await h.request('POST', '/api/inverter', { body: { ip: 'x', type: 'sma', address: 300 } }),
      400,
      'address',
    );
  });

  it('reports a duplicate id and an unknown profile from the registry as 400', async () => {
    assertError(
      await h.request('POST', '/api/devices', {
        body: { id: 'inv1', type: 'tcp', host: 'x', profile: 'sunspec' },
      }),
      400,
      'id',
    );
    assertError(
      await h.request('POST', '/api/devices', { body: { type: 'tcp', host: 'x', profile: 'nosuchprofile' } }),
      400,
      'profile',
    );
  });

  it('415 for a body that is not JSON, 413 over the limit', async () => {
    assertError(
      await h.request('POST', '/api/devices', {
        raw: 'host=x',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
      415,
      'content-type',
    );
    assertError(
      await h.request('POST', '/api/devices', {
        raw: '{}',
        headers: { 'content-type': 'application/json; charset=latin1' },
      }),
      415,
      'content-type',
    );
    const big = JSON.stringify({ type: 'tcp', host: 'x'.repeat(70_000), profile: 'p' });
    assertError(
      await h.request('POST', '/api/devices', { raw: big, headers: { 'content-type': 'application/json' } }),
      413,
      'body',
    );
  });

  it('serves a reading and frequency samples, 404 for unknown devices', async () => {
    h.fake.emitReading('inv1', { ac_power_w: 1234 });
    assert.equal((await h.request('GET', '/api/devices/inv1/reading')).json.ac_power_w, 1234);
    h.fake.emitFrequency('inv1', 49.98);
    const f = await h.request('GET', '/api/devices/inv1/frequency');
    assert.equal(f.json.device, 'inv1');
    assert.ok(f.json.stats.count >= 1);
    assertError(await h.request('GET', '/api/devices/ghost/reading'), 404, 'id');
    assertError(await h.request('GET', '/api/devices/ghost/frequency'), 404, 'id');
    assert.deepEqual((await h.request('GET', '/api/devices/inv1/captures')).json, {
      device: 'inv1',
      captures: [],
    });
    assertError(await h.request('GET', '/api/devices/ghost/captures'), 404, 'id');
    assertError(await h.request('GET', '/api/devices/ghost'), 404, 'id');
    assertError(await h.request('GET', '/api/devices/bad%20id!'), 400, 'id');
  });

  it('404 with code for a device that has no reading yet', async () => {
    await h.request('POST', '/api/devices', {
      body: { id: 'fresh', type: 'tcp', host: 'x', profile: 'sunspec' },
    });
    assertError(await h.request('GET', '/api/devices/fresh/reading'), 404, 'id');
  });

  it('removes a device, then 404s it', async () => {
    await h.request('POST', '/api/devices', {
      body: { id: 'gone', type: 'tcp', host: 'x', profile: 'sunspec' },
    });
    const d = await h.request('DELETE', '/api/devices/gone');
    assert.equal(d.status, 200);
    assert.equal(d.json.removed, 'gone');
    assertError(await h.request('DELETE', '/api/devices/gone'), 404, 'id');
  });
});

describe('telemetry routes', () => {
  it('GET /api/stats has engine, devices with Modbus counters, outbox and uplinks', async () => {
    const { json } = await h.request('GET', '/api/stats');
    assert.equal(json.engine.frequency.runs, 600);
    assert.equal(json.engine.harvest.lagMs.p99, 2);
    const inv1 = json.devices.find((d: { id: string }) => d.id === 'inv1');
    assert.equal(inv1.state, 'connected');
    assert.deepEqual(inv1.exceptions, { '02': 1 });
    assert.equal(json.outbox.depth, 3);
    assert.equal(json.outbox.oldestAgeMs, 30_000);
    assert.deepEqual(
      json.uplinks.map((u: { name: string; state: string }) => `${u.name}:${u.state}`),
      ['http:ok', 'mqtt:retrying'],
    );
  });

  it('GET /api/harvests honours limit and validates it', async () => {
    const { json } = await h.request('GET', '/api/harvests?limit=2');
    assert.deepEqual(
      json.batches.map((b: { seq: number }) => b.seq),
      [3, 2],
    );
    assert.equal(json.batches[0].jwt.split('.').length, 3);
    assert.equal((await h.request('GET', '/api/harvests')).json.batches.length, 3);
    for (const bad of ['0', '-1', 'abc', '1.5', '5000', '']) {
      assertError(await h.request('GET', `/api/harvests?limit=${bad}`), 400, 'limit');
    }
  });
});

describe('settings routes', () => {
  it('GET needs the token and never shows the MQTT password', async () => {
    assertError(await h.request('GET', '/api/settings', { token: null }), 401, 'authorization');
    await h.request('POST', '/api/settings', { body: { mqtt: { password: 'hunter22' } } });
    const { status, json, text } = await h.request('GET', '/api/settings');
    assert.equal(status, 200);
    assert.equal(json.harvest.intervalMs, 1000);
    assert.equal(json.mqtt.passwordSet, true);
    assert.ok(!text.includes('hunter22'));
  });

  it('POST changes only the keys sent', async () => {
    const { json } = await h.request('POST', '/api/settings', { body: { harvest: { batchSize: 20 } } });
    assert.equal(json.harvest.batchSize, 20);
    assert.equal(json.harvest.intervalMs, 1000);
  });

  it('POST names the invalid field', async () => {
    assertError(
      await h.request('POST', '/api/settings', { body: { harvest: { intervalMs: 5 } } }),
      400,
      'harvest.intervalMs',
    );
    assertError(
      await h.request('POST', '/api/settings', { body: { harvest: { speed: 5 } } }),
      400,
      'harvest.speed',
    );
    assertError(
      await h.request('POST', '/api/settings', { body: { ingest: { url: 'not a url' } } }),
      400,
      'ingest.url',
    );
    assertError(await h.request('POST', '/api/settings', { body: { dataDir: '/' } }), 400, 'dataDir');
  });
});

describe('wifi routes', () => {
  it('scans and connects', async () => {
    const g = await h.request('GET', '/api/wifi');
    assert.equal(g.json.networks[0].ssid, 'home');
    const p = await h.request('POST', '/api/wifi', { body: { ssid: 'home', passphrase: 'correct horse' } });
    assert.equal(p.json.status.ssid, 'home');
    assertError(
      await h.request('POST', '/api/wifi', { body: { ssid: 'home', passphrase: 'short' } }),
      400,
      'passphrase',
    );
    assertError(await h.request('GET', '/api/wifi', { token: null }), 401, 'authorization');
  });

  it('answers 501 with a clear message where there is no NetworkManager', async () => {
    h.fake.wifi.available = false;
    try {
      const g = await h.request('GET', '/api/wifi');
      assertError(g, 501);
      assert.match(g.json.error.message, /NetworkManager/);
      assertError(await h.request('POST', '/api/wifi', { body: { ssid: 'home' } }), 501);
    } finally {
      h.fake.wifi.available = true;
    }
  });
});

describe('initialize', () => {
  it('signs the fixed wallet-binding message, verifiable with the public key', async () => {
    const wallet = '0xAbCdEf0123456789abcdef0123456789ABCDEF01';
    const { status, json } = await h.request('POST', '/api/initialize', { body: { wallet } });
    assert.equal(status, 200);
    assert.equal(json.header.opr, 'initialize');
    assert.equal(json.payload.wallet, wallet.toLowerCase());
    assert.equal(json.payload.serial, h.fake.services.identity.serial);
    const [head, body, signature] = (json.jwt as string).split('.');
    const key = createPublicKey(h.fake.services.identity.publicKeyPem);
    const ok = verify(
      'sha256',
      Buffer.from(`${head}.${body}`),
      { key, dsaEncoding: 'ieee-p1363' },
      Buffer.from(signature!, 'base64url'),
    );
    assert.ok(ok);
  });

  it('refuses anything but an address', async () => {
    assertError(await h.request('POST', '/api/initialize', { body: { wallet: 'hello' } }), 400, 'wallet');
    assertError(
      await h.request('POST', '/api/initialize', {
        body: { wallet: '0x' + '0'.repeat(40), payload: { x: 1 } },
      }),
      400,
      'payload',
    );
  });
});

describe('protocol errors', () => {
  it('404 JSON for unknown paths, 405 with Allow for a wrong method', async () => {
    assertError(await h.request('GET', '/api/nothing'), 404, 'path');
    const m = await h.request('PUT', '/api/stats');
    assertError(m, 405, 'method');
    assert.equal(m.headers.get('allow'), 'GET, HEAD');
    const d = await h.request('PATCH', '/api/devices/inv1');
    assertError(d, 405, 'method');
    assert.equal(d.headers.get('allow'), 'DELETE, GET, HEAD');
  });

  it('answers OPTIONS with Allow and keeps CORS closed', async () => {
    const o = await h.request('OPTIONS', '/api/devices', {
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' },
    });
    assert.equal(o.status, 204);
    assert.equal(o.headers.get('access-control-allow-origin'), null);
    const g = await h.request('GET', '/api/hello', { headers: { origin: 'http://evil.example' } });
    assert.equal(g.headers.get('access-control-allow-origin'), null);
    assertError(
      await h.request('POST', '/api/devices', {
        headers: { origin: 'http://evil.example' },
        body: { type: 'tcp', host: 'x', profile: 'sunspec' },
      }),
      403,
      'origin',
    );
  });

  it('serves the docs page and swagger-ui from the package, the dashboard and uPlot', async () => {
    const docs = await h.request('GET', '/docs');
    assert.match(docs.text, /swagger-ui-bundle\.js/);
    assert.equal((await h.request('GET', '/docs/swagger-ui-bundle.js')).status, 200);
    const page = await h.request('GET', '/');
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(page.text, /dashboard\.js/);
    assert.equal((await h.request('GET', '/dashboard.js')).status, 200);
    const uplot = await h.request('GET', '/vendor/uplot/uPlot.esm.js');
    assert.match(uplot.headers.get('content-type') ?? '', /javascript/);
    assertError(await h.request('GET', '/vendor/uplot/../../package.json'), 404);
  });

  it('serves the installer app and the transport-neutral client it imports', async () => {
    const page = await h.request('GET', '/installer/');
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(page.text, /installer\.js/);
    const script = await h.request('GET', '/installer/installer.js');
    assert.match(script.text, /from '\.\.\/src\/api-client\.js'/);
    const client = await h.request('GET', '/src/api-client.js');
    assert.match(client.headers.get('content-type') ?? '', /javascript/);
    assert.match(client.text, /from '\.\/egwttp\.js'/);
    assert.equal((await h.request('GET', '/src/egwttp.js')).status, 200);
    assertError(await h.request('GET', '/src/../package.json'), 404);
  });
});
