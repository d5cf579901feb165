// The installer flow over BLE on the real bleno stack (egw-ble over a pty to the virtual controller)
// at ATT MTU 23, 185 and 247: connect, MTU exchange, discovery, subscribe, GET /api/crypto (paged),
// PIN proof, add an inverter, Wi-Fi scan and join. Link model (stated, not measured radio): connection
// events every 30 ms (phones use 15–30 ms), at most 4 link-layer packets each way per event, 27-byte
// LL payloads at MTU 23 (no data length extension) and 251 bytes at MTU 185/247 (with it); frames of
// 512 bytes (the default). Reported: flow time, link-layer packets each way, notifications and the
// ones cut at MTU−3 (read back with Read/Read Blob), busy connection events.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer } from '../server/src/api/create-api.ts';
import { createMetrics } from '../server/src/observability/metrics.ts';
import { EGW_SERVICE_UUID } from '../bluetooth/src/gatt/egw-gatt-service.ts';
import { egwttpClient } from '../client/src/api-client.js';
import { createFakeGateway } from '../test/fakes/gateway-services.ts';
import { startEgwBleOnPty } from '../test/fakes/hci/egw-ble-on-pty.ts';
import { openGattFrameLink } from '../test/fakes/hci/gatt-frame-link.ts';
import { TimedLink } from '../test/fakes/hci/link-model.ts';
import type { BenchFigures, BenchOptions } from './bench-types.ts';

const TOKEN = 'ble-bench-token-0123456789';
const PIN = '135790';
const INTERVAL_MS = 30;
const PACKETS_PER_EVENT = 4;

async function flowAt(mtu: number): Promise<BenchFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'egw-ble-bench-'));
  const gateway = createFakeGateway({ apiToken: TOKEN });
  const api = await startApiServer(gateway.services, {
    host: '127.0.0.1',
    port: 0,
    bodyLimitBytes: 65_536,
    corsOrigins: [],
    metrics: createMetrics(gateway.services),
  });
  await writeFile(join(dir, 'api-token'), TOKEN, { mode: 0o600 });
  await writeFile(join(dir, 'ble-pin'), PIN, { mode: 0o600 });
  const link = new TimedLink({ intervalMs: INTERVAL_MS, packetsPerEvent: PACKETS_PER_EVENT });
  const ble = await startEgwBleOnPty({
    dataDir: dir,
    gatewayUrl: `http://127.0.0.1:${api.port}`,
    args: ['--name', 'EGW-BENCH', '--no-unprovisioned-window', '--no-improv'],
    controller: { link, aclPayloadBytes: mtu === 23 ? 27 : 251 },
  });
  try {
    const t0 = performance.now();
    const central = ble.central().connect();
    if (mtu !== 23) await central.exchangeMtu(mtu);
    const egw = (await central.discover()).find((s) => s.uuid === EGW_SERVICE_UUID)?.characteristics[0];
    if (!egw) throw new Error('EGW characteristic not found');
    const frames = await openGattFrameLink(central, egw);
    const client = egwttpClient(frames);
    const tDiscovered = performance.now();
    const crypto = await client.request('GET', '/api/crypto');
    if (crypto.status !== 200) throw new Error(`GET /api/crypto: ${crypto.status}`);
    if (!(await client.provePin(PIN))) throw new Error('PIN refused');
    const added = await client.request('POST', '/api/inverter', {
      ip: '192.168.1.90',
      port: 502,
      type: 'sunspec',
      address: 1,
    });
    if (added.status !== 201) throw new Error(`POST /api/inverter: ${added.status}`);
    await client.request('GET', '/api/wifi');
    const joined = await client.request('POST', '/api/wifi', {
      ssid: 'home',
      passphrase: 'correct horse battery',
    });
    if (joined.status !== 200) throw new Error(`POST /api/wifi: ${joined.status}`);
    const t1 = performance.now();
    const counters = central.linkCounters();
    await central.disconnect();
    return {
      [`mtu${mtu}FlowMs`]: Math.round(t1 - t0),
      [`mtu${mtu}ConnectDiscoverMs`]: Math.round(tDiscovered - t0),
      [`mtu${mtu}LlPacketsToCentral`]: counters.toCentralPackets,
      [`mtu${mtu}LlPacketsToPeripheral`]: counters.toPeripheralPackets,
      [`mtu${mtu}Notifications`]: frames.counters.notifications,
      [`mtu${mtu}CutNotifications`]: frames.counters.cutNotifications,
      [`mtu${mtu}BusyConnectionEvents`]: link.busyEvents,
    };
  } finally {
    await ble.stop();
    await api.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export default async function bleBench(_options: BenchOptions): Promise<BenchFigures> {
  const figures: BenchFigures = {
    linkModel: `${INTERVAL_MS} ms connection interval, ${PACKETS_PER_EVENT} LL packets each way per event, LL payload 27 B (MTU 23) / 251 B (MTU 185, 247), 512-byte frames`,
    cryptoBodyBytes: 0,
  };
  for (const mtu of [23, 185, 247]) Object.assign(figures, await flowAt(mtu));
  const gateway = createFakeGateway({ apiToken: TOKEN });
  figures.cryptoBodyBytes = Buffer.byteLength(JSON.stringify(await gatewayCrypto(gateway)));
  return figures;
}

async function gatewayCrypto(gateway: ReturnType<typeof createFakeGateway>): Promise<unknown> {
  const api = await startApiServer(gateway.services, {
    host: '127.0.0.1',
    port: 0,
    bodyLimitBytes: 65_536,
    corsOrigins: [],
    metrics: createMetrics(gateway.services),
  });
  try {
    return await (await fetch(`http://127.0.0.1:${api.port}/api/crypto`)).json();
  } finally {
    await api.close();
  }
}
