import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import { SystemClock } from '../../../server/src/core/clock.ts';
import { EventBus } from '../../../server/src/core/event-bus.ts';
import { silentLogger } from '../../../server/src/core/logger.ts';
import type { Reading } from '../../../server/src/core/reading.ts';
import type { BatchRecord } from '../../../server/src/outbox/batch-record.ts';
import { MqttUplink, type MqttUplinkOptions } from '../../../server/src/uplink/mqtt/mqtt-uplink.ts';
import { skipReason, startBroker, type Broker } from './mosquitto-broker.ts';

const SERIAL = 'EGW-0123456789AB';
const reading: Reading = {
  device: 'inv1',
  profile: 'sunspec',
  make: 'SolarEdge',
  model: 'SE5000H',
  serial: '7E0A1234',
  ts: 1_767_225_600_000,
  read_ms: 42,
  status: 'producing',
  ac_power_w: 3120.5,
  energy_total_wh: 12_345_678,
  grid_frequency_hz: 50.01,
  ac_voltage_l1_v: 231.2,
  temperature_c: 41.5,
};
const batch = (seq: number): BatchRecord => ({
  seq,
  createdAt: 1_767_225_600_000,
  header: { alg: 'ES256K', seq },
  payload: {},
  jwt: `eyJhbGciOiJFUzI1NksifQ.eyJzZXEiOiR7c2VxfQ.sig-${seq}`,
  ackedBy: [],
});

let broker: Broker;
const cleanups: (() => Promise<unknown> | void)[] = [];

before(async () => {
  if (!skipReason) broker = await startBroker();
});
// Each test stops its uplinks and watchers: uplinks share the gateway's client id, and the broker
// would make two live ones take each other's session over and over.
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
after(async () => {
  await broker?.stop();
});

/** A watching client (MQTT 5, retain-as-published) that records every message it receives. */
async function watch(topic: string): Promise<{ client: MqttClient; messages: IPublishPacket[] }> {
  const client = await mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0 });
  cleanups.push(() => client.endAsync(true));
  const messages: IPublishPacket[] = [];
  client.on('message', (_topic, _payload, packet) => messages.push(packet));
  await client.subscribeAsync(topic, { qos: 1, rap: true });
  return { client, messages };
}

async function until<T>(what: string, fn: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = fn();
    if (value) return value;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function uplink(overrides: Partial<MqttUplinkOptions> = {}): {
  uplink: MqttUplink;
  bus: EventBus;
  states: string[];
} {
  const bus = new EventBus();
  const states: string[] = [];
  const instance = new MqttUplink({
    url: broker.url,
    serial: SERIAL,
    bus,
    clock: new SystemClock(),
    logger: silentLogger(),
    homeAssistant: false,
    reconnect: { initialMs: 100, maxMs: 400 },
    ackTimeoutMs: 5000,
    ...overrides,
  });
  instance.onLinkChange((link) => states.push(link.state));
  cleanups.push(() => instance.stop());
  return { uplink: instance, bus, states };
}

const text = (m: IPublishPacket): string => m.payload.toString();

describe('MqttUplink against mosquitto', { skip: skipReason }, () => {
  it('publishes status, retained readings, QoS 0 frequency samples and QoS 1 batches acknowledged by PUBACK', async () => {
    const watcher = await watch('egw/#');
    const { uplink: up, bus } = uplink();
    await up.start();
    await until('online', () => up.link().state === 'up');
    const status = await until('status', () =>
      watcher.messages.find((m) => m.topic === `egw/${SERIAL}/status`),
    );
    assert.equal(text(status), 'online');
    assert.equal(status.retain, true);

    bus.emit('reading', reading);
    bus.emit('frequency', { device: 'inv1', ts: reading.ts, hz: 49.98 });
    const got = await until('reading', () =>
      watcher.messages.find((m) => m.topic === `egw/${SERIAL}/inv1/reading`),
    );
    assert.deepEqual(JSON.parse(text(got)), reading);
    assert.equal(got.retain, true);
    const freq = await until('frequency', () =>
      watcher.messages.find((m) => m.topic.endsWith('/inv1/frequency')),
    );
    assert.deepEqual(JSON.parse(text(freq)), { ts: reading.ts, hz: 49.98 });
    assert.equal(freq.qos, 0);
    assert.equal(freq.retain, false);

    await up.deliver(batch(7));
    const sent = await until('batch', () => watcher.messages.find((m) => m.topic === `egw/${SERIAL}/batch`));
    assert.equal(text(sent), batch(7).jwt);
    assert.equal(sent.qos, 1);
    assert.equal(sent.retain, false);

    // A late subscriber gets the retained status, reading and device availability, not the samples or the batch.
    const late = await watch(`egw/${SERIAL}/#`);
    await until('retained', () => late.messages.length >= 3);
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(late.messages.map((m) => m.topic).sort(), [
      `egw/${SERIAL}/inv1/availability`,
      `egw/${SERIAL}/inv1/reading`,
      `egw/${SERIAL}/status`,
    ]);
  });

  it('resolves deliver() only when the broker acknowledges', async () => {
    const { uplink: up } = uplink({ prefix: 'site/roof' });
    await up.start();
    await until('online', () => up.link().state === 'up');
    broker.pause();
    let resolved = false;
    const delivery = up.deliver(batch(8)).then(() => (resolved = true));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(resolved, false, 'no PUBACK while the broker is paused');
    broker.resume();
    await delivery;
    assert.equal(resolved, true);
  });

  it('has the broker publish the last will "offline" on an abrupt disconnect, then comes back online', async () => {
    const watcher = await watch('gw/will/status');
    const { uplink: up, states } = uplink({ prefix: 'gw/will' });
    await up.start();
    await until('online', () => watcher.messages.some((m) => text(m) === 'online'));
    // Cut the TCP connection under mqtt.js, as a crash or a pulled cable would.
    (up as unknown as { client: MqttClient }).client.stream.destroy();
    const offline = await until('will', () => watcher.messages.find((m) => text(m) === 'offline'));
    assert.equal(offline.retain, true);
    await until('back online', () => watcher.messages.filter((m) => text(m) === 'online').length === 2);
    assert.deepEqual(states, ['up', 'down', 'up']);
  });

  it('rejects deliveries while the broker is down and reconnects with backoff when it returns', async () => {
    const { uplink: up } = uplink({ prefix: 'gw/outage' });
    await up.start();
    await until('online', () => up.link().state === 'up');
    await broker.crash();
    await until('link down', () => up.link().state === 'down');
    await assert.rejects(up.deliver(batch(9)), /not connected/);
    assert.equal(up.link().state, 'down', 'still reconnecting after the rejected delivery');
    await broker.restart();
    await until('reconnected', () => up.link().state === 'up', 10_000);
    await up.deliver(batch(10));
  });

  it('says goodbye with a retained "offline" on stop', async () => {
    const watcher = await watch('gw/bye/status');
    const { uplink: up } = uplink({ prefix: 'gw/bye' });
    await up.start();
    await until('online', () => watcher.messages.some((m) => text(m) === 'online'));
    await up.stop();
    await until('offline', () => watcher.messages.some((m) => text(m) === 'offline'));
    assert.equal(up.link().state, 'stopped');
  });

  it('announces Home Assistant sensors per inverter and again when Home Assistant comes online', async () => {
    const watcher = await watch('homeassistant/sensor/#');
    const { uplink: up, bus } = uplink({ prefix: 'gw/ha', homeAssistant: true });
    await up.start();
    await until('online', () => up.link().state === 'up');
    bus.emit('reading', reading);
    await until('discovery', () => watcher.messages.length >= 5);
    const node = `egw_${SERIAL}_inv1`;
    const byObject = new Map(
      watcher.messages.map((m) => [m.topic, JSON.parse(text(m)) as Record<string, unknown>] as const),
    );
    assert.deepEqual(
      [...byObject.keys()].sort(),
      ['energy', 'frequency', 'power', 'temperature', 'voltage'].map(
        (o) => `homeassistant/sensor/${node}/${o}/config`,
      ),
    );
    const power = byObject.get(`homeassistant/sensor/${node}/power/config`)!;
    assert.equal(power.device_class, 'power');
    assert.equal(power.state_class, 'measurement');
    assert.equal(power.unit_of_measurement, 'W');
    assert.equal(power.state_topic, 'gw/ha/inv1/reading');
    assert.equal(
      power.value_template,
      '{{ value_json.ac_power_w if value_json.ac_power_w is defined else None }}',
    );
    assert.deepEqual(
      (power.availability as { topic: string }[]).map((a) => a.topic),
      ['gw/ha/status', 'gw/ha/inv1/availability'],
    );
    assert.equal(power.unique_id, `${node}_power`);
    assert.deepEqual(power.device, {
      identifiers: [node],
      name: 'SolarEdge SE5000H (inv1)',
      manufacturer: 'SolarEdge',
      model: 'SE5000H',
      serial_number: '7E0A1234',
    });
    const energy = byObject.get(`homeassistant/sensor/${node}/energy/config`)!;
    assert.deepEqual(
      [energy.device_class, energy.state_class, energy.unit_of_measurement],
      ['energy', 'total_increasing', 'Wh'],
    );
    assert.ok(
      watcher.messages.every((m) => m.retain && m.qos === 1),
      'discovery configs are retained',
    );
    const uniqueIds = new Set([...byObject.values()].map((p) => p.unique_id));
    assert.equal(uniqueIds.size, 5);

    // The same reading again does not re-announce; Home Assistant's birth message does.
    bus.emit('reading', { ...reading, ts: reading.ts + 1000 });
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(watcher.messages.length, 5);
    await watcher.client.publishAsync('homeassistant/status', 'online');
    await until('re-announced', () => watcher.messages.length >= 10);
  });
});
