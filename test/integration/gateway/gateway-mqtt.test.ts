/**
 * The wired gateway and a real mosquitto: the MQTT uplink switched on at run time through
 * POST /api/settings publishes status, retained readings, the 10 Hz frequency stream and the signed
 * batches, which the outbox then counts as delivered.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { startLocalGateway, type LocalGateway } from '../../../server/src/demo/start-local-gateway.ts';
import { skipReason, startBroker, type Broker } from '../uplink/mosquitto-broker.ts';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let broker: Broker | undefined;
let local: LocalGateway | undefined;

before(async () => {
  if (skipReason) return;
  broker = await startBroker();
  local = await startLocalGateway({
    devices: [{ profile: 'sdm630', id: 'meter' }],
    config: { harvest: { batchSize: 2 } },
  });
});

after(async () => {
  await local?.stop();
  await broker?.stop();
});

test(
  'MQTT switched on through the API carries status, readings, frequency and batches',
  { skip: skipReason, timeout: 30_000 },
  async () => {
    const gw = local!.gateway;
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
