import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { ConfigSchema } from '../../../server/src/config/schema.ts';
import { SystemClock } from '../../../server/src/core/clock.ts';
import { silentLogger } from '../../../server/src/core/logger.ts';
import { Scheduler } from '../../../server/src/engine/scheduler.ts';
import { buildGateway } from '../../../server/src/gateway/build-gateway.ts';
import type { RunningGateway } from '../../../server/src/gateway/start-gateway.ts';
import { startBleService, type BleService } from '../../../bluetooth/src/ble-service.ts';
import { loadOrCreateBlePin } from '../../../server/src/config/gateway-secrets.ts';
import { egwttpClient, openWsLink, type ApiClient } from '../../../client/src/api-client.js';
import { documentedClient } from '../openapi-responses.ts';

describe('egw-ble over WebSocket against the real gateway (shared data directory)', () => {
  let dir = '';
  let engine: Scheduler;
  let gateway: RunningGateway;
  let ble: BleService;
  let client: ApiClient;
  const saved = { token: process.env.EGW_API_TOKEN, pin: process.env.EGW_BLE_PIN };

  before(async () => {
    delete process.env.EGW_API_TOKEN;
    delete process.env.EGW_BLE_PIN;
    dir = await mkdtemp(join(tmpdir(), 'egw-ble-real-'));
    const clock = new SystemClock();
    const config = ConfigSchema.parse({ dataDir: dir, http: { host: '127.0.0.1', port: 0 } });
    engine = new Scheduler({ clock });
    engine.start();
    gateway = await buildGateway({ config, clock, logger: silentLogger(), engine });
    ble = await startBleService({
      clock,
      logger: silentLogger(),
      dataDir: dir,
      gatewayUrl: `http://127.0.0.1:${gateway.httpPort}`,
      transports: ['ws'],
      frameSizeBytes: 128,
      bootWindowMs: 600_000,
      openWindowMs: 600_000,
      controlSocket: false,
    });
    client = documentedClient(egwttpClient(await openWsLink(`ws://127.0.0.1:${ble.wsPort}`, WebSocket)));
  });

  after(async () => {
    client?.close();
    await ble?.stop();
    await gateway?.stop();
    await engine?.stop(1000);
    await rm(dir, { recursive: true, force: true });
    if (saved.token !== undefined) process.env.EGW_API_TOKEN = saved.token;
    if (saved.pin !== undefined) process.env.EGW_BLE_PIN = saved.pin;
  });

  it('reads the identity, then adds an inverter with the token the gateway wrote and the PIN', async () => {
    const crypto = await client.request('GET', '/api/crypto');
    assert.equal(crypto.status, 200);
    assert.equal(crypto.body.serial, gateway.serial);
    assert.equal(await client.provePin(loadOrCreateBlePin(dir)), true);
    const added = await client.request('POST', '/api/inverter', {
      ip: '127.0.0.1',
      port: 1,
      type: 'sunspec',
      address: 1,
    });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    assert.ok(gateway.devices.list().some((d) => d.config.type === 'tcp' && d.config.port === 1));
  });

  it('passes GET /api/wifi through: 501 naming NetworkManager on a box without it', async () => {
    assert.equal(await client.provePin(loadOrCreateBlePin(dir)), true);
    const wifi = await client.request('GET', '/api/wifi');
    // Development and CI machines have no NetworkManager; a box with one answers 200 with networks.
    if (wifi.status === 200) assert.ok(Array.isArray(wifi.body.networks));
    else {
      assert.equal(wifi.status, 501);
      assert.match(wifi.body.error.message, /NetworkManager/);
    }
  });
});
