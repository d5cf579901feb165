/**
 * Improv Wi-Fi over BLE on the real bleno stack (virtual controller over a pty), checked against the
 * byte layouts of https://www.improv-wifi.com/ble/: advertisement with the service UUID and service
 * data, the five characteristics, authorization = the provisioning window, RPC checksums, errors,
 * the Wi-Fi join through the gateway and the dashboard URL in the RPC result.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMetrics } from '../../../server/src/observability/metrics.ts';
import { startApiServer, type ApiServer } from '../../../server/src/api/create-api.ts';
import { controlRequest, controlSocketPath } from '../../../bluetooth/src/provisioning/control-socket.ts';
import { createFakeGateway, type FakeGateway } from '../../fakes/gateway-services.ts';
import { parseAdStructures } from '../../fakes/hci/advertising-parser.ts';
import { startEgwBleOnPty, type EgwBleOnPty } from '../../fakes/hci/egw-ble-on-pty.ts';
import type { DiscoveredService, ServerPush, VirtualCentral } from '../../fakes/hci/virtual-central.ts';

const TOKEN = 'improv-test-token-0123456789';
const SERVICE = '00467768-6228-2272-4663-277478268000';
const uuid = (n: number): string => `00467768-6228-2272-4663-27747826800${n}`;

/** Low byte of the sum, as the spec defines the checksum (written here independently of the codec). */
function packet(command: number, data: number[]): Buffer {
  const body = [command, data.length, ...data];
  return Buffer.from([...body, body.reduce((a, b) => a + b, 0) & 0xff]);
}

function wifiSettings(ssid: string, password: string): Buffer {
  const s = [...Buffer.from(ssid)];
  const p = [...Buffer.from(password)];
  return packet(0x01, [s.length, ...s, p.length, ...p]);
}

describe('Improv Wi-Fi over BLE on the real bleno stack', () => {
  let dir = '';
  let gateway: FakeGateway;
  let api: ApiServer;
  let ble: EgwBleOnPty;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'egw-ble-improv-'));
    gateway = createFakeGateway({ apiToken: TOKEN });
    api = await startApiServer(gateway.services, {
      host: '127.0.0.1',
      port: 0,
      bodyLimitBytes: 65_536,
      corsOrigins: [],
      metrics: createMetrics(gateway.services),
    });
    await writeFile(join(dir, 'api-token'), TOKEN, { mode: 0o600 });
    ble = await startEgwBleOnPty({
      dataDir: dir,
      gatewayUrl: `http://127.0.0.1:${api.port}`,
      // Window closed at boot, advertising anyway: Improv starts in "authorization required".
      args: [
        '--name',
        'EGW-IMPROV',
        '--window-minutes',
        '0',
        '--always-advertise',
        '--no-unprovisioned-window',
      ],
    });
  });

  after(async () => {
    await ble?.stop();
    await api?.close();
    gateway?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function improvService(central: VirtualCentral): Promise<DiscoveredService> {
    const service = (await central.discover()).find((s) => s.uuid === SERVICE);
    assert.ok(service, 'Improv service discovered');
    return service;
  }

  const handleOf = (
    service: DiscoveredService,
    n: number,
  ): { value: number; cccd?: number; properties: number } => {
    const c = service.characteristics.find((x) => x.uuid === uuid(n));
    assert.ok(c, `characteristic ${uuid(n)}`);
    return { value: c.valueHandle, cccd: c.cccdHandle, properties: c.properties };
  };

  /** The next push on a handle (others are kept in order for later). */
  async function pushOn(central: VirtualCentral, handle: number, seen: ServerPush[]): Promise<Buffer> {
    const earlier = seen.findIndex((p) => p.handle === handle);
    if (earlier >= 0) return seen.splice(earlier, 1)[0]!.value;
    for (;;) {
      const push = await central.nextPush();
      if (push.handle === handle) return push.value;
      seen.push(push);
    }
  }

  it('advertises the Improv UUID with its service data (state, capabilities, 4 reserved) in one advertisement', async () => {
    const improvUuid = Buffer.from(SERVICE.replace(/-/g, ''), 'hex').reverse();
    await ble.controller.until(() => ble.controller.advertisingData.includes(improvUuid));
    const structures = parseAdStructures(ble.controller.advertisingData);
    assert.ok(ble.controller.advertisingData.length <= 31);
    assert.deepEqual(structures.find((s) => s.type === 0x07)?.data, improvUuid);
    const serviceData = structures.find((s) => s.type === 0x16)?.data;
    assert.deepEqual(serviceData, Buffer.from([0x77, 0x46, 0x01, 0x07, 0, 0, 0, 0]));
    assert.ok(!ble.controller.scanResponseData.includes(improvUuid), 'not in the scan response');
  });

  it('runs the provisioning flow: not authorized, errors, authorized by the window, provisioned with the dashboard URL', async () => {
    await ble.controller.until(() => ble.controller.advertisingEnabled);
    const central = ble.central().connect();
    await central.exchangeMtu(185);
    const service = await improvService(central);
    const state = handleOf(service, 1);
    const error = handleOf(service, 2);
    const rpc = handleOf(service, 3);
    const result = handleOf(service, 4);
    const capabilities = handleOf(service, 5);
    assert.equal(state.properties, 0x12, 'read, notify');
    assert.equal(error.properties, 0x12, 'read, notify');
    assert.equal(rpc.properties & 0x08, 0x08, 'write');
    assert.equal(result.properties, 0x12, 'read, notify');
    assert.equal(capabilities.properties, 0x02, 'read');
    assert.deepEqual(await central.read(capabilities.value), Buffer.from([0x07]));
    assert.deepEqual(await central.read(state.value), Buffer.from([0x01]), 'authorization required');
    for (const c of [state, error, result]) await central.subscribe(c.cccd ?? 0, 1);
    const seen: ServerPush[] = [];

    // Credentials before authorization: error 0x04 (not authorized); a 20-byte-per-write client.
    const credentials = wifiSettings('home', 'correct horse battery');
    for (let at = 0; at < credentials.length; at += 20)
      await central.write(rpc.value, credentials.subarray(at, at + 20));
    assert.deepEqual(await pushOn(central, error.value, seen), Buffer.from([0x04]));

    const badChecksum = packet(0x03, []);
    badChecksum.writeUInt8(badChecksum.readUInt8(2) ^ 0xff, 2);
    await central.write(rpc.value, badChecksum);
    // A new command clears the error first (0x00), then the invalid packet sets 0x01.
    assert.deepEqual(await pushOn(central, error.value, seen), Buffer.from([0x01]));
    await central.write(rpc.value, packet(0x7f, []));
    assert.deepEqual(await pushOn(central, error.value, seen), Buffer.from([0x00]));
    assert.deepEqual(await pushOn(central, error.value, seen), Buffer.from([0x02]), 'unknown command');

    // Device info works unauthorized: firmware name, version, hardware, device name.
    await central.write(rpc.value, packet(0x03, []));
    const info = await pushOn(central, result.value, seen);
    assert.equal(info[0], 0x03);
    assert.equal(info.at(-1), info.subarray(0, -1).reduce((a, b) => a + b, 0) & 0xff, 'checksum');
    assert.match(info.subarray(2, -1).toString('latin1'), /egw.*EGW-IMPROV$/s);

    await controlRequest(controlSocketPath(dir), 'POST', '/open-window');
    assert.deepEqual(await pushOn(central, state.value, seen), Buffer.from([0x02]), 'authorized');
    for (let at = 0; at < credentials.length; at += 20)
      await central.write(rpc.value, credentials.subarray(at, at + 20));
    assert.deepEqual(await pushOn(central, state.value, seen), Buffer.from([0x03]), 'provisioning');
    const url = await pushOn(central, result.value, seen);
    assert.deepEqual(await pushOn(central, state.value, seen), Buffer.from([0x04]), 'provisioned');
    const expected = Buffer.from(`http://192.168.1.20:${api.port}/`);
    assert.deepEqual(
      url,
      Buffer.concat([
        Buffer.from([0x01, expected.length + 1, expected.length]),
        expected,
        Buffer.from([url.at(-1)!]),
      ]),
    );
    assert.equal(url.at(-1), url.subarray(0, -1).reduce((a, b) => a + b, 0) & 0xff);
    assert.deepEqual(await gateway.services.wifi.status(), {
      state: 'connected',
      ssid: 'home',
      ipv4: '192.168.1.20',
    });
    assert.deepEqual(await central.read(state.value), Buffer.from([0x04]));
    await central.disconnect();
  });
});
