/**
 * The installer's whole flow over Bluetooth on the real bleno stack (virtual controller over a pty)
 * against the real gateway sharing the data directory, with a fake nmcli on PATH: identity, PIN
 * session, an inverter added, Wi-Fi joined, paged GET /api/crypto, the 401/403 cases — at MTU 23 and
 * 247. And lock-out isolation: other local clients' bad tokens do not lock BLE provisioning out.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { ConfigSchema } from '../../../server/src/config/schema.ts';
import { loadOrCreateBlePin } from '../../../server/src/config/gateway-secrets.ts';
import { SystemClock } from '../../../server/src/core/clock.ts';
import { silentLogger } from '../../../server/src/core/logger.ts';
import { Scheduler } from '../../../server/src/engine/scheduler.ts';
import { buildGateway } from '../../../server/src/gateway/build-gateway.ts';
import type { RunningGateway } from '../../../server/src/gateway/start-gateway.ts';
import { controlRequest, controlSocketPath } from '../../../bluetooth/src/provisioning/control-socket.ts';
import { EGW_SERVICE_UUID } from '../../../bluetooth/src/gatt/egw-gatt-service.ts';
import { egwttpClient, httpClient, type ApiClient } from '../../../client/src/api-client.js';
import { startEgwBleOnPty, type EgwBleOnPty } from '../../fakes/hci/egw-ble-on-pty.ts';
import { openGattFrameLink } from '../../fakes/hci/gatt-frame-link.ts';
import type { VirtualCentral } from '../../fakes/hci/virtual-central.ts';
import { documentedClient } from '../openapi-responses.ts';

const FAKE_NMCLI_DIR = resolve('test/fixtures/nmcli');

describe('installer flow over BLE on the real bleno stack against the real gateway', () => {
  let dir = '';
  let engine: Scheduler;
  let gateway: RunningGateway;
  let ble: EgwBleOnPty;
  let http = '';
  const saved = { token: process.env.EGW_API_TOKEN, pin: process.env.EGW_BLE_PIN, path: process.env.PATH };

  before(async () => {
    delete process.env.EGW_API_TOKEN;
    delete process.env.EGW_BLE_PIN;
    // The gateway's Wi-Fi manager runs nmcli from PATH: the fake one answers like NetworkManager 1.42.
    process.env.PATH = `${FAKE_NMCLI_DIR}${delimiter}${saved.path ?? ''}`;
    dir = await mkdtemp(join(tmpdir(), 'egw-ble-flow-'));
    const clock = new SystemClock();
    const config = ConfigSchema.parse({ dataDir: dir, http: { host: '127.0.0.1', port: 0 } });
    engine = new Scheduler({ clock });
    engine.start();
    gateway = await buildGateway({ config, clock, logger: silentLogger(), engine });
    http = `http://127.0.0.1:${gateway.httpPort}`;
    ble = await startEgwBleOnPty({
      dataDir: dir,
      gatewayUrl: http,
      args: ['--frame-size', '128', '--no-unprovisioned-window'],
    });
  });

  after(async () => {
    await ble?.stop();
    await gateway?.stop();
    await engine?.stop(1000);
    await rm(dir, { recursive: true, force: true });
    process.env.PATH = saved.path;
    if (saved.token !== undefined) process.env.EGW_API_TOKEN = saved.token;
    if (saved.pin !== undefined) process.env.EGW_BLE_PIN = saved.pin;
  });

  async function session(
    mtu: number,
  ): Promise<{ central: VirtualCentral; client: ApiClient; notifications: () => number }> {
    await ble.controller.until(() => ble.controller.advertisingEnabled);
    const central = ble.central().connect();
    await central.exchangeMtu(mtu);
    const egw = (await central.discover()).find((s) => s.uuid === EGW_SERVICE_UUID)?.characteristics[0];
    assert.ok(egw);
    const link = await openGattFrameLink(central, egw);
    return {
      central,
      client: documentedClient(egwttpClient(link)),
      notifications: () => link.counters.notifications,
    };
  }

  for (const mtu of [23, 247]) {
    it(`runs identity, PIN, inverter, Wi-Fi and the 401/403 cases at MTU ${mtu}`, async () => {
      const { central, client, notifications } = await session(mtu);
      const crypto = await client.request('GET', '/api/crypto');
      assert.equal(crypto.status, 200);
      assert.equal(crypto.body.serial, gateway.serial);
      assert.ok(notifications() > 1, 'paged at 128-byte frames');
      const direct = await httpClient(http).request('GET', '/api/crypto');
      assert.deepEqual(crypto.body, direct.body);

      const inverter = { ip: '127.0.0.1', port: 1000 + mtu, type: 'sunspec', address: 1 };
      const early = await client.request('POST', '/api/inverter', inverter);
      assert.equal(early.status, 401);
      assert.equal(early.body.error.code, 'pin_required');
      assert.equal(await client.provePin('000000'), false);
      assert.equal(await client.provePin(loadOrCreateBlePin(dir)), true);

      const added = await client.request('POST', '/api/inverter', inverter);
      assert.equal(added.status, 201, JSON.stringify(added.body));
      assert.ok(
        gateway.devices.list().some((d) => d.config.type === 'tcp' && d.config.port === inverter.port),
      );

      const wifi = await client.request('GET', '/api/wifi');
      assert.equal(wifi.status, 200, JSON.stringify(wifi.body));
      assert.ok(wifi.body.networks.some((n: { ssid: string }) => n.ssid === 'Home:Net'));
      const joined = await client.request('POST', '/api/wifi', { ssid: 'Cafe' });
      assert.equal(joined.status, 200, JSON.stringify(joined.body));

      await controlRequest(controlSocketPath(dir), 'POST', '/close-window');
      const closed = await client.request('POST', '/api/inverter', { ...inverter, port: 2000 + mtu });
      assert.equal(closed.status, 403);
      assert.equal(closed.body.error.code, 'window_closed');
      await controlRequest(controlSocketPath(dir), 'POST', '/open-window');
      await central.disconnect();
    });
  }

  it('adds an inverter over BLE after 50 bad tokens from another local client locked loopback out', async () => {
    const intruder = httpClient(http, 'not-the-token-0123456789');
    const answers: number[] = [];
    for (let i = 0; i < 50; i++) answers.push((await intruder.request('POST', '/api/settings', {})).status);
    assert.equal(answers.at(-1), 429, 'loopback TCP is locked out');
    const rightTokenOverTcp = await httpClient(http, gateway.apiToken).request('POST', '/api/settings', {});
    // The right token always passes (issue 15): only wrong ones are refused from a locked address.
    assert.equal(rightTokenOverTcp.status, 200, 'the right token is never locked out');

    const { central, client } = await session(247);
    assert.equal(await client.provePin(loadOrCreateBlePin(dir)), true);
    const added = await client.request('POST', '/api/inverter', {
      ip: '127.0.0.1',
      port: 3001,
      type: 'sunspec',
      address: 1,
    });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    await central.disconnect();
  });
});
