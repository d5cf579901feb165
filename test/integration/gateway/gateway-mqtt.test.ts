/**
 * The wired gateway and a real mosquitto: the MQTT uplink switched on at run time through
 * POST /api/settings publishes status, retained readings, the 10 Hz frequency stream and the signed
 * batches, which the outbox then counts as delivered.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { startSimulator, type RunningSimulator } from '../../../modbus_slave/src/simulator.ts';
import { ConfigSchema } from '../../../server/src/config/schema.ts';
import { SystemClock } from '../../../server/src/core/clock.ts';
import { silentLogger } from '../../../server/src/core/logger.ts';
import { Scheduler } from '../../../server/src/engine/scheduler.ts';
import { buildGateway } from '../../../server/src/gateway/build-gateway.ts';
import type { RunningGateway } from '../../../server/src/gateway/start-gateway.ts';
import { skipReason, startBroker, type Broker } from '../uplink/mosquitto-broker.ts';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let dir: string;
let sim: RunningSimulator | undefined;
let broker: Broker | undefined;
let engine: Scheduler | undefined;
let gateway: RunningGateway | undefined;

before(async () => {
  if (skipReason) return;
  dir = mkdtempSync(join(tmpdir(), 'egw-gw-mqtt-'));
  broker = await startBroker();
  sim = await startSimulator({ devices: [{ profile: 'sdm630', id: 'meter' }] });
  const clock = new SystemClock();
  engine = new Scheduler({ clock });
  engine.start();
  const config = ConfigSchema.parse({
    dataDir: join(dir, 'data'),
    http: { host: '127.0.0.1', port: 0 },
    harvest: { batchSize: 2 },
    devices: sim.devices.map((d) => ({
      id: d.id,
      type: 'tcp',
      host: d.host,
      port: d.port,
      unit: d.unit,
      profile: d.profile,
    })),
  });
  gateway = await buildGateway({ config, clock, logger: silentLogger(), engine });
});

after(async () => {
  await engine?.stop(3000);
  await gateway?.stop();
  await sim?.stop();
  await broker?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test(
  'MQTT switched on through the API carries status, readings, frequency and batches',
  { skip: skipReason, timeout: 30_000 },
  async () => {
    const gw = gateway!;
    const prefix = `egw/${gw.serial}`;
    const seen = new Map<string, { payload: string; retain: boolean; count: number }>();
    const client = mqtt.connect(broker!.url);
    try {
      client.on('message', (topic, payload, packet) => {
        const prev = seen.get(topic);
        seen.set(topic, {
          payload: payload.toString(),
          retain: packet.retain,
          count: (prev?.count ?? 0) + 1,
        });
      });
      await new Promise<void>((resolve) => client.once('connect', () => resolve()));
      await client.subscribeAsync(`${prefix}/#`);
      const res = await fetch(`http://127.0.0.1:${gw.httpPort}/api/settings`, {
        method: 'POST',
        headers: { authorization: `Bearer ${gw.apiToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ mqtt: { url: broker!.url } }),
      });
      assert.equal(res.status, 200);
      for (let i = 0; i < 100 && !(seen.get(`${prefix}/batch`)?.count ?? 0); i++) await sleep(100);
      assert.equal(seen.get(`${prefix}/status`)?.payload, 'online');
      const reading = JSON.parse(seen.get(`${prefix}/meter/reading`)?.payload ?? '{}') as { device?: string };
      assert.equal(reading.device, 'meter');
      assert.ok((seen.get(`${prefix}/meter/frequency`)?.count ?? 0) >= 5, 'the 10 Hz stream arrives');
      const jwt = seen.get(`${prefix}/batch`)?.payload ?? '';
      assert.equal(jwt.split('.').length, 3, 'a signed batch');
      await sleep(500);
      const uplinks = gw.services.uplinks();
      assert.deepEqual(
        uplinks.map((u) => u.name),
        ['mqtt'],
      );
      assert.ok(uplinks[0]!.acked >= 1, 'batches acknowledged on PUBACK');
    } finally {
      await client.endAsync();
    }
  },
);
