import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { createMetrics } from '../../../server/src/observability/metrics.ts';
import { startApiServer, type ApiServer } from '../../../server/src/api/create-api.ts';
import { SystemClock } from '../../../server/src/core/clock.ts';
import { silentLogger } from '../../../server/src/core/logger.ts';
import { startBleService, type BleService } from '../../../bluetooth/src/ble-service.ts';
import { controlRequest, controlSocketPath } from '../../../bluetooth/src/provisioning/control-socket.ts';
import { egwttpClient, openWsLink, type ApiClient } from '../../../client/src/api-client.js';
import { createFakeGateway, type FakeGateway } from '../../fakes/gateway-services.ts';
import { documentedClient } from '../openapi-responses.ts';

const PIN = '482916';

describe('egw-ble over the WebSocket transport (128-byte frames) against the gateway API', () => {
  let dir = '';
  let gateway: FakeGateway;
  let api: ApiServer;
  let ble: BleService;
  const clients: ApiClient[] = [];

  const connect = async (): Promise<ApiClient> => {
    const client = documentedClient(
      egwttpClient(await openWsLink(`ws://127.0.0.1:${ble.wsPort}`, WebSocket)),
    );
    clients.push(client);
    return client;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'egw-ble-'));
    gateway = createFakeGateway({ apiToken: 'integration-token-0123456789' });
    api = await startApiServer(gateway.services, {
      host: '127.0.0.1',
      port: 0,
      bodyLimitBytes: 65_536,
      corsOrigins: [],
      metrics: createMetrics(gateway.services),
    });
    // The BLE process reads the token and PIN from the shared data directory, as in the container.
    await writeFile(join(dir, 'api-token'), 'integration-token-0123456789\n', { mode: 0o600 });
    await writeFile(join(dir, 'ble-pin'), `${PIN}\n`, { mode: 0o600 });
    ble = await startBleService({
      clock: new SystemClock(),
      logger: silentLogger(),
      dataDir: dir,
      gatewayUrl: `http://127.0.0.1:${api.port}`,
      transports: ['ws'],
      frameSizeBytes: 128,
      bootWindowMs: 600_000,
      openWindowMs: 600_000,
    });
  });

  after(async () => {
    for (const client of clients) client.close();
    await ble?.stop();
    await api?.close();
    gateway?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers GET /api/hello without a PIN', async () => {
    const client = await connect();
    const hello = await client.request('GET', '/api/hello');
    assert.equal(hello.status, 200);
    assert.deepEqual(
      hello.body,
      (await (await fetch(`http://127.0.0.1:${api.port}/api/hello`)).json()) as unknown,
    );
  });

  it('pages GET /api/crypto over many 128-byte frames to the exact JSON', async () => {
    const client = await connect();
    const crypto = await client.request('GET', '/api/crypto');
    assert.equal(crypto.status, 200);
    assert.equal(crypto.body.serial, gateway.services.identity.serial);
    assert.equal(crypto.body.publicKeyPem, gateway.services.identity.publicKeyPem);
    assert.ok(JSON.stringify(crypto.body).length > 400, 'the body needs several pages');
  });

  it('refuses POST /api/inverter with 401 before the PIN is proven', async () => {
    const client = await connect();
    const denied = await client.request('POST', '/api/inverter', {
      ip: '192.168.1.77',
      port: 502,
      type: 'sunspec',
      address: 1,
    });
    assert.equal(denied.status, 401);
    assert.equal(denied.body.error.code, 'pin_required');
  });

  it('rejects a wrong PIN and accepts the right one', async () => {
    const client = await connect();
    assert.equal(await client.provePin('000000'), false);
    assert.equal(await client.provePin(PIN), true);
  });

  it('adds an inverter with POST /api/inverter inside the window with the PIN session', async () => {
    const client = await connect();
    assert.equal(await client.provePin(PIN), true);
    const before = gateway.devices.list().length;
    const added = await client.request('POST', '/api/inverter', {
      ip: '192.168.1.77',
      port: 502,
      type: 'sunspec',
      address: 3,
    });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    assert.equal(gateway.devices.list().length, before + 1);
    assert.ok(
      gateway.devices.list().some((d) => d.config.type === 'tcp' && d.config.host === '192.168.1.77'),
    );
  });

  it('answers 403 outside the window (closed through the control socket) and 201 after egw-ble open-window', async () => {
    const client = await connect();
    assert.equal(await client.provePin(PIN), true);
    const body = { ip: '192.168.1.78', port: 502, type: 'sunspec', address: 4 };
    const closed = (await controlRequest(controlSocketPath(dir), 'POST', '/close-window')) as {
      open: boolean;
    };
    assert.equal(closed.open, false);
    const before = gateway.devices.list().length;
    const refused = await client.request('POST', '/api/inverter', body);
    assert.equal(refused.status, 403);
    assert.match(refused.body.error.message, /open-window/);
    assert.equal(gateway.devices.list().length, before);
    await controlRequest(controlSocketPath(dir), 'POST', '/open-window');
    assert.equal((await client.request('POST', '/api/inverter', body)).status, 201);
  });

  it('reassembles a request body longer than one frame (several messages) before forwarding it', async () => {
    const client = await connect();
    assert.equal(await client.provePin(PIN), true);
    const url = `https://ingest.example/gw/${'a'.repeat(900)}/`;
    const saved = await client.request('POST', '/api/settings', { ingest: { url } });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    assert.equal(gateway.services.settings.get().ingest.url, url);
  });

  it('answers 404 for routes not on the BLE allow-list and 400 for a malformed frame', async () => {
    const client = await connect();
    assert.equal((await client.request('GET', '/metrics')).status, 404);
    const link = await openWsLink(`ws://127.0.0.1:${ble.wsPort}`, WebSocket);
    try {
      await link.write(new TextEncoder().encode('NOT EGWTTP AT ALL\r\n\r\n'));
      const frame = Buffer.from(await link.nextFrame());
      assert.match(frame.toString('latin1'), /^EGWTTP\/1\.1 400 /);
    } finally {
      link.close();
    }
  });
});
