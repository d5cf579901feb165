/**
 * Each notification raised and cleared by its real cause, on the real gateway (buildGateway) over the
 * simulator, the reference ingest receiver and mosquitto, with the gateway on a ManualClock: a
 * simulator fault (device_failing), the receiver stopped (uplink_retrying) with a small outbox bound
 * (outbox_nearly_full), a missing NTP marker (clock_unsynchronised), the real egw-ble without an
 * adapter and then on the virtual controller (bluetooth_adapter_missing, provisioning_window_open).
 * Disk and storage: disk-notifications.test.ts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { controlRequest, controlSocketPath } from '../../../bluetooth/src/provisioning/control-socket.ts';
import { startSimulator, type RunningSimulator } from '../../../modbus_slave/src/simulator.ts';
import { ConfigSchema } from '../../../server/src/config/schema.ts';
import { ManualClock } from '../../../server/src/core/clock.ts';
import { silentLogger } from '../../../server/src/core/logger.ts';
import { Scheduler } from '../../../server/src/engine/scheduler.ts';
import { buildGateway } from '../../../server/src/gateway/build-gateway.ts';
import type { RunningGateway } from '../../../server/src/gateway/start-gateway.ts';
import { startIngestServer, type IngestServer } from '../../../server/src/ingest/ingest-server.ts';
import type { NotificationCode } from '../../../server/src/notifications/notification.ts';
import { clockDriver } from './clock-driver.ts';
import { skipReason, startBroker, type Broker } from '../uplink/mosquitto-broker.ts';
import { startEgwBle } from '../../fakes/egw-ble-process.ts';
import { startEgwBleOnPty } from '../../fakes/hci/egw-ble-on-pty.ts';

/** The real egw-ble needs bleno (optional: it compiles at npm ci); without it the BLE test is skipped. */
const blenoMissing = await import('@stoprocent/bleno').then(
  () => false,
  (error: unknown) => `@stoprocent/bleno cannot load here (${(error as Error).message}): egw-ble has no BLE`,
);

describe('notifications raised and cleared by their causes', { timeout: 90_000 }, () => {
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
  let dir: string;
  let sim: RunningSimulator;
  let receiver: IngestServer;
  let broker: Broker | undefined;
  let engine: Scheduler;
  let gw: RunningGateway;

  const active = (code: NotificationCode) => gw.notifications.list().active.filter((n) => n.code === code);
  /** Moves the gateway's clock in small steps, letting real sockets answer between them. */
  const { advance, until, stopWhileAdvancing } = clockDriver(clock);
  const stateOverHttp = async () =>
    (await (await fetch(`http://127.0.0.1:${gw.httpPort}/api/state`)).json()) as {
      state: string;
      reasons: { code: string; device?: string }[];
    };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'egw-notify-'));
    sim = await startSimulator({ devices: [{ profile: 'huawei', id: 'inv1' }] });
    receiver = await startIngestServer({ port: 0, host: '127.0.0.1' });
    if (!skipReason) broker = await startBroker();
    const d = sim.devices[0]!;
    const config = ConfigSchema.parse({
      dataDir: join(dir, 'data'),
      http: { host: '127.0.0.1', port: 0 },
      devices: [{ id: 'inv1', type: 'tcp', host: d.host, port: d.port, unit: d.unit, profile: 'huawei' }],
      harvest: { intervalMs: 1000, frequencyHz: 0, batchSize: 1 },
      outbox: { maxBatches: 10 },
      ingest: { url: receiver.url },
      ...(broker ? { mqtt: { url: broker.url, prefix: 'egw/test' } } : {}),
      notifications: { checkIntervalMs: 5000, clockSyncedFile: join(dir, 'synchronized') },
    });
    engine = new Scheduler({ clock, logger: silentLogger() });
    engine.start();
    gw = await buildGateway({ config, clock, logger: silentLogger(), engine });
  });
  after(async () => {
    await stopWhileAdvancing(async () => {
      await engine?.stop(0);
      await gw?.stop();
    });
    await receiver?.stop();
    await sim?.stop();
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('clock_unsynchronised: raised while the NTP marker is missing, cleared once it appears', async () => {
    assert.match(active('clock_unsynchronised')[0]?.message ?? '', /synchronized is missing/);
    await until('the first reading', () => gw.services.state().state !== 'starting');
    const degraded = await stateOverHttp();
    assert.equal(degraded.state, 'degraded');
    assert.deepEqual(
      degraded.reasons.map((r) => r.code),
      ['clock_unsynchronised'],
    );
    writeFileSync(join(dir, 'synchronized'), '');
    await until('clock_unsynchronised cleared', () => active('clock_unsynchronised').length === 0);
    assert.equal((await stateOverHttp()).state, 'running');
  });

  test('device_failing: a simulator fault over a minute raises it (not before), recovery clears it', async () => {
    await until('a first reading', () => gw.devices.get('inv1')?.reading !== undefined);
    sim.faults('inv1').set({ exceptionRate: 1, exceptionCodes: [4] });
    await until('inv1 failing', () => gw.devices.get('inv1')?.stats.lastError !== undefined, 10_000);
    await advance(50_000);
    assert.equal(active('device_failing').length, 0, 'not within the first minute');
    await until('device_failing raised', () => active('device_failing').length === 1, 20_000);
    const [n] = active('device_failing');
    assert.equal(n?.device, 'inv1');
    assert.equal(n?.severity, 'warning');
    const state = await stateOverHttp();
    assert.equal(state.state, 'degraded');
    assert.deepEqual(state.reasons[0], {
      code: 'device_failing',
      severity: 'warning',
      message: n?.message,
      device: 'inv1',
      notification: n?.id,
    });

    const res = await fetch(`http://127.0.0.1:${gw.httpPort}/api/notifications`);
    const body = (await res.json()) as { active: { code: string; device?: string }[] };
    assert.ok(body.active.some((x) => x.code === 'device_failing' && x.device === 'inv1'));
    const metrics = await (await fetch(`http://127.0.0.1:${gw.httpPort}/metrics`)).text();
    assert.match(metrics, /egw_notifications_active\{code="device_failing"\} 1/);
    assert.match(metrics, /egw_notifications_active\{code="disk_low"\} 0/);

    if (broker) {
      const client = mqtt.connect(broker.url);
      const payload = await new Promise<string>((resolve) => {
        client.on('message', (_topic, message) => resolve(message.toString()));
        client.subscribe('egw/test/notifications');
      });
      client.end(true);
      const retained = JSON.parse(payload) as { active: { code: string }[] };
      assert.ok(
        retained.active.some((x) => x.code === 'device_failing'),
        payload,
      );
    }

    sim.faults('inv1').clear();
    await until('device_failing cleared', () => active('device_failing').length === 0, 30_000);
    assert.equal((await stateOverHttp()).state, 'running');
    assert.equal(gw.notifications.list().recent.find((x) => x.code === 'device_failing')?.id, n?.id);
  });

  test('uplink_retrying after 5 minutes of a stopped receiver, outbox_nearly_full above 8 of 10', async () => {
    const port = receiver.port;
    const store = receiver.store;
    await receiver.stop();
    await until(
      'http retrying',
      () => gw.services.uplinks().some((u) => u.name === 'http' && u.state === 'retrying'),
      10_000,
    );
    await until('outbox_nearly_full raised', () => active('outbox_nearly_full').length === 1, 30_000);
    assert.equal(active('uplink_retrying').length, 0, 'not before 5 minutes');
    await until('uplink_retrying raised', () => active('uplink_retrying').length === 1, 320_000, 1000);
    assert.equal(active('uplink_retrying')[0]?.subject, 'http');

    receiver = await startIngestServer({ port, host: '127.0.0.1', store });
    await until('uplink_retrying cleared', () => active('uplink_retrying').length === 0, 400_000, 1000);
    await until('outbox_nearly_full cleared', () => active('outbox_nearly_full').length === 0, 30_000);
  });

  test(
    'bluetooth_adapter_missing from the real egw-ble without an adapter, cleared when it runs on a (virtual) controller',
    { skip: blenoMissing },
    async () => {
      const gatewayUrl = `http://127.0.0.1:${gw.httpPort}`;
      const args = ['--transport', 'ble', '--no-unprovisioned-window', '--name', 'EGW-test'];
      // This machine has no Bluetooth adapter; hci99 is one no box has, should the machine running the test.
      const noAdapter = await startEgwBle({
        dataDir: gw.dataDir,
        gatewayUrl,
        args,
        env: { BLENO_HCI_DEVICE_ID: '99' },
      });
      try {
        assert.equal((await noAdapter.settledStatus()).ble, 'unsupported');
        await until('adapter missing raised', () => active('bluetooth_adapter_missing').length === 1, 20_000);
        assert.match(active('bluetooth_adapter_missing')[0]!.message, /adapter state "unsupported"/);
        // Its boot window (10 min) is open; `egw-ble close-window` closes it.
        assert.equal(active('provisioning_window_open')[0]?.severity, 'info');
        await controlRequest(controlSocketPath(gw.dataDir), 'POST', '/close-window');
        await until(
          'window notification cleared',
          () => active('provisioning_window_open').length === 0,
          20_000,
        );
      } finally {
        await noAdapter.stop();
      }
      // The same egw-ble on a controller (the virtual one, over a pty with --hci-uart): poweredOn.
      const withAdapter = await startEgwBleOnPty({
        dataDir: gw.dataDir,
        gatewayUrl,
        args: ['--name', 'EGW-test'],
      });
      try {
        assert.equal((await withAdapter.status()).ble, 'poweredOn');
        // Cleared by a status that was read (the open window proves it), not by egw-ble being absent.
        await until(
          'adapter notification cleared by an adapter',
          () =>
            active('bluetooth_adapter_missing').length === 0 &&
            active('provisioning_window_open').length === 1,
          20_000,
        );
      } finally {
        await withAdapter.stop();
      }
      await until(
        'window notification cleared with egw-ble gone',
        () => active('provisioning_window_open').length === 0,
        20_000,
      );
    },
  );
});
