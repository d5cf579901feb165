/**
 * Home Assistant discovery against mosquitto, checked the way Home Assistant would: every discovery
 * payload of a simulated inverter, meter and hybrid with a battery read by the real gateway, and of a
 * reading carrying every battery and meter field,
 * against HA's device class × unit × state class rules and the Energy dashboard's; templates rendered
 * with Jinja2; the per-device availability going offline when the simulated device fails; and the
 * cleanup after a device is deleted (empty retained configs, no re-announcement when HA restarts).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import mqtt, { type MqttClient } from 'mqtt';
import { SystemClock } from '../../../server/src/core/clock.ts';
import { EventBus } from '../../../server/src/core/event-bus.ts';
import { silentLogger } from '../../../server/src/core/logger.ts';
import type { Reading } from '../../../server/src/core/reading.ts';
import { startSimulator } from '../../../modbus_slave/src/simulator.ts';
import { startLocalGateway, type LocalGateway } from '../../../server/src/demo/start-local-gateway.ts';
import { MqttUplink } from '../../../server/src/uplink/mqtt/mqtt-uplink.ts';
import {
  energyDashboardAccepts,
  jinjaSkipReason,
  renderTemplates,
  sensorProblems,
} from './home-assistant-rules.ts';
import { skipReason, startBroker, type Broker } from './mosquitto-broker.ts';

const skip = skipReason || jinjaSkipReason;
let broker: Broker | undefined;
let local: LocalGateway | undefined;

before(async () => {
  if (skip) return;
  broker = await startBroker();
});
after(async () => {
  await local?.stop();
  await broker?.stop();
});

/** The retained state of the broker under a topic filter, as a fresh client receives it. */
interface Watcher {
  client: MqttClient;
  /** Latest payload per topic ('' = cleared). */
  latest: Map<string, string>;
  /** Every payload per topic, in order. */
  history: Map<string, string[]>;
}

async function watch(filter: string): Promise<Watcher> {
  const client = await mqtt.connectAsync(broker!.url, { reconnectPeriod: 0 });
  const latest = new Map<string, string>();
  const history = new Map<string, string[]>();
  client.on('message', (topic, payload) => {
    latest.set(topic, payload.toString());
    history.set(topic, [...(history.get(topic) ?? []), payload.toString()]);
  });
  await client.subscribeAsync(filter, { qos: 1 });
  return { client, latest, history };
}

async function until<T>(what: string, fn: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = fn();
    if (value) return value;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

type Payload = Record<string, unknown>;
const configs = (w: Watcher, node: string): Map<string, Payload> =>
  new Map(
    [...w.latest]
      .filter(([topic, payload]) => topic.includes(`/${node}/`) && topic.endsWith('/config') && payload)
      .map(([topic, payload]) => [topic.split('/')[3]!, JSON.parse(payload) as Payload]),
  );

/** Checks each payload against HA's rules and renders its template with and without its field. */
function assertValidSensors(sensors: Map<string, Payload>, reading: Record<string, unknown>): void {
  for (const [object, payload] of sensors) assert.deepEqual(sensorProblems(payload), [], object);
  const templates = [...sensors.values()].map((p) => String(p.value_template));
  const fields = templates.map((t) => /value_json\.([a-z0-9_]+)/.exec(t)![1]!);
  const present = renderTemplates(templates.map((template) => ({ template, value_json: reading })));
  const absent = renderTemplates(
    templates.map((template, i) => {
      const copy = { ...reading };
      delete copy[fields[i]!];
      return { template, value_json: copy };
    }),
  );
  fields.forEach((field, i) => {
    assert.equal(Number(present[i]), reading[field], `${field} renders its value`);
    assert.equal(absent[i], 'None', `${field} renders None when absent (HA: unknown), never ""`);
  });
}

describe('Home Assistant discovery of the real gateway', { skip, timeout: 60_000 }, () => {
  it('announces valid sensors, marks a failing device offline and cleans up after a delete', async () => {
    const simulator = await startSimulator({
      devices: [
        { profile: 'sunspec', id: 'inv' },
        { profile: 'sdm630', id: 'meter' },
        { profile: 'sungrow-sh', id: 'hybrid' },
      ],
    });
    local = await startLocalGateway({
      simulator,
      config: {
        harvest: { intervalMs: 250 },
        mqtt: { url: broker!.url, homeAssistant: true, staleAfterMs: 5000 },
      },
    });
    const gw = local.gateway;
    const prefix = `egw/${gw.serial}`;
    const node = (device: string): string => `egw_${gw.serial}_${device}`;
    const w = await watch('#');
    try {
      await until(
        'meter and inverter configs',
        () => configs(w, node('meter')).size >= 3 && configs(w, node('inv')).size >= 3,
      );
      await until(
        'readings',
        () => w.latest.get(`${prefix}/meter/reading`) && w.latest.get(`${prefix}/inv/reading`),
      );

      // Meter: grid power, import and export energy the Energy dashboard accepts as grid sources.
      const meter = configs(w, node('meter'));
      for (const object of ['grid_power', 'grid_import', 'grid_export']) assert.ok(meter.has(object), object);
      assert.ok(energyDashboardAccepts(meter.get('grid_import')!));
      assert.ok(energyDashboardAccepts(meter.get('grid_export')!));
      assertValidSensors(meter, JSON.parse(w.latest.get(`${prefix}/meter/reading`)!) as Payload);
      // Inverter: lifetime energy as a solar source.
      const inverter = configs(w, node('inv'));
      assert.ok(energyDashboardAccepts(inverter.get('energy')!));
      assertValidSensors(inverter, JSON.parse(w.latest.get(`${prefix}/inv/reading`)!) as Payload);
      // Hybrid with a battery (simulated Sungrow SH): solar, grid and battery sources for the Energy dashboard.
      const hybrid = await until('hybrid configs', () => {
        const c = configs(w, node('hybrid'));
        return c.has('battery_discharge') && c.has('grid_export') ? c : undefined;
      });
      for (const object of ['energy', 'grid_import', 'grid_export', 'battery_charge', 'battery_discharge'])
        assert.ok(energyDashboardAccepts(hybrid.get(object)!), `hybrid ${object}`);
      for (const object of ['battery_soc', 'battery_power', 'grid_power'])
        assert.ok(hybrid.has(object), `hybrid ${object}`);
      assertValidSensors(hybrid, JSON.parse(w.latest.get(`${prefix}/hybrid/reading`)!) as Payload);
      // Availability: the gateway's status and the device's own topic, both online.
      const availability = (meter.get('grid_power')!.availability as { topic: string }[]).map((a) => a.topic);
      assert.deepEqual(availability, [`${prefix}/status`, `${prefix}/meter/availability`]);
      assert.equal(w.latest.get(`${prefix}/status`), 'online');
      await until('meter online', () => w.latest.get(`${prefix}/meter/availability`) === 'online');

      // The simulated meter stops answering: its availability goes offline, the inverter's stays online.
      simulator.faults('meter').set({ dropRate: 1 });
      await until('meter offline', () => w.latest.get(`${prefix}/meter/availability`) === 'offline');
      // Per device: the inverter is online while the meter keeps failing (on a loaded box one of its own
      // reads may time out and flip it offline for a moment, hence the wait).
      await until('inverter online', () => w.latest.get(`${prefix}/inv/availability`) === 'online');
      assert.equal(w.latest.get(`${prefix}/meter/availability`), 'offline');

      // Deleting the meter clears every config it announced (empty, retained) and its reading.
      const announced = [...configs(w, node('meter')).keys()];
      assert.equal(await gw.devices.remove('meter'), true);
      await until('meter configs cleared', () =>
        announced.every(
          (object) => w.latest.get(`homeassistant/sensor/${node('meter')}/${object}/config`) === '',
        ),
      );
      await until('meter reading cleared', () => w.latest.get(`${prefix}/meter/reading`) === '');

      // Home Assistant restarts: only existing devices are announced again; the broker keeps no meter config.
      const before = w.history.get(`homeassistant/sensor/${node('inv')}/energy/config`)!.length;
      await w.client.publishAsync('homeassistant/status', 'online');
      await until(
        'inverter re-announced',
        () => w.history.get(`homeassistant/sensor/${node('inv')}/energy/config`)!.length > before,
      );
      const fresh = await watch('homeassistant/#');
      try {
        await until('retained inverter configs', () => configs(fresh, node('inv')).size >= 3);
        assert.equal(configs(fresh, node('meter')).size, 0, 'no retained meter config left');
      } finally {
        await fresh.client.endAsync();
      }
    } finally {
      await w.client.endAsync();
    }
  });
});

describe('Home Assistant discovery of a hybrid inverter with a battery', { skip }, () => {
  it('announces battery, grid and solar sensors the Energy dashboard accepts', async () => {
    const hybrid: Reading = {
      device: 'hyb',
      profile: 'hybrid',
      make: 'Example',
      model: 'H10',
      ts: 1_767_225_600_000,
      read_ms: 30,
      ac_power_w: 4200,
      energy_total_wh: 9_876_000,
      grid_power_w: -1500,
      energy_import_wh: 1_234_000,
      energy_export_wh: 2_345_000,
      load_power_w: 2700,
      battery_soc_pct: 64,
      battery_power_w: 800,
      battery_voltage_v: 51.2,
      battery_current_a: 15.6,
      battery_temperature_c: 24.5,
      energy_battery_charge_wh: 456_000,
      energy_battery_discharge_wh: 400_000,
      grid_frequency_hz: 50.01,
    };
    const bus = new EventBus();
    const w = await watch('homeassistant/sensor/+/+/config');
    const uplink = new MqttUplink({
      url: broker!.url,
      serial: 'EGW-HYBRID',
      bus,
      clock: new SystemClock(),
      logger: silentLogger(),
      homeAssistant: true,
      staleAfterMs: 5000,
    });
    try {
      await uplink.start();
      await until('connected', () => uplink.link().state === 'up');
      bus.emit('reading', hybrid);
      const node = 'egw_EGW-HYBRID_hyb';
      await until('hybrid configs', () => configs(w, node).size === 14);
      const sensors = configs(w, node);
      for (const object of [
        'battery_soc',
        'battery_power',
        'battery_charge',
        'battery_discharge',
        'grid_import',
        'grid_export',
        'energy',
      ])
        assert.ok(sensors.has(object), object);
      for (const object of ['battery_charge', 'battery_discharge', 'grid_import', 'grid_export', 'energy'])
        assert.ok(energyDashboardAccepts(sensors.get(object)!), object);
      assert.equal(sensors.get('battery_soc')!.device_class, 'battery');
      assert.equal(sensors.get('battery_power')!.expire_after, 5);
      assertValidSensors(sensors, hybrid as unknown as Payload);
    } finally {
      await uplink.stop();
      await w.client.endAsync();
    }
  });
});
