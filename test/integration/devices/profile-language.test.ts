/**
 * The profile language against devices over real TCP: a computed sum field, optional blocks the
 * device lacks (exception 02, no answer), identity read once per connection (request counts at the
 * simulator), and an energy accumulator unwrapped across a 2³² rollover and a restart.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeviceConfig } from '../../../server/src/config/schema.ts';
import { SystemClock } from '../../../server/src/core/clock.ts';
import { silentLogger } from '../../../server/src/core/logger.ts';
import { fileAccumulatorStore } from '../../../server/src/devices/accumulator-store.ts';
import {
  createDeviceReader,
  type DeviceReaderDeps,
} from '../../../server/src/devices/create-device-reader.ts';
import { OPTIONAL_BLOCK_RETRY_READS } from '../../../server/src/devices/modbus-device-reader.ts';
import { ProfileRegistry } from '../../../server/src/profiles/profile-registry.ts';
import { startSimulator } from '../../../modbus_slave/src/simulator.ts';
import { ModbusResponder } from '../../fakes/modbus-responder.ts';

/** A hybrid-like test map: identity block (optional, once per connection), trackers, an energy counter. */
const LANGUAGE_PROFILE = {
  id: 'language',
  make: 'Testmake',
  transport: { unit: 1 },
  blocks: [
    { function: 3, start: 100, count: 4, cadence: 'connection', optional: true },
    { function: 3, start: 200, count: 8 },
    { function: 3, start: 300, count: 2, optional: true },
  ],
  points: {
    serial: { address: 100, type: 'str', size: 4 },
    ac_power_w: { address: 200, type: 's16' },
    energy_total_wh: { address: 202, type: 'acc32', gain: 10 },
    battery_soc_pct: { address: 300, type: 'u16' },
  },
  terms: {
    pv1_power: { address: 204, type: 'u16' },
    pv2_power: { address: 205, type: 'u16' },
    battery_discharge: { address: 206, type: 's16' },
  },
  computed: {
    dc_power_w: { sum: ['pv1_power', 'pv2_power'] },
    battery_power_w: { negate: 'battery_discharge' },
  },
};

const ascii = (text: string): number[] =>
  Array.from({ length: 4 }, (_, i) => (text.charCodeAt(2 * i) << 8) | (text.charCodeAt(2 * i + 1) || 0));

describe('profile language over TCP', () => {
  let responder: ModbusResponder;
  let dir: string;
  let deps: DeviceReaderDeps;
  const config = (): DeviceConfig =>
    ({
      id: 'hyb1',
      type: 'tcp',
      host: '127.0.0.1',
      port: responder.port,
      unit: 1,
      profile: 'language',
      closeBetweenPolls: false,
    }) as DeviceConfig;
  const setMeasurements = (energyRaw: number): void => {
    responder.set(3, 1, 200, [
      1500,
      0,
      Math.floor(energyRaw / 65536),
      energyRaw & 0xffff,
      900,
      700,
      0xff9c,
      0,
    ]);
  };

  before(async () => {
    responder = await ModbusResponder.start();
    dir = mkdtempSync(join(tmpdir(), 'egw-language-'));
    writeFileSync(join(dir, 'language.json'), JSON.stringify(LANGUAGE_PROFILE));
    deps = {
      clock: new SystemClock(),
      logger: silentLogger(),
      profiles: ProfileRegistry.load({ extraDir: dir }),
      timeouts: { connectMs: 1000, minMs: 150, maxMs: 300 },
      accumulators: fileAccumulatorStore(join(dir, 'accumulators')),
    };
  });
  after(async () => {
    await responder.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a sum and a sign flip of registers read in the same poll', async () => {
    responder.set(3, 1, 100, ascii('SN123456'));
    responder.set(3, 1, 300, [64, 0]);
    setMeasurements(1000);
    const reader = createDeviceReader(config(), deps);
    try {
      const reading = await reader.read();
      assert.equal(reading.dc_power_w, 1600);
      assert.equal(reading.battery_power_w, 100, 'discharging 100 W reads as -(-100)');
      assert.equal(reading.serial, 'SN123456');
      assert.equal(reading.battery_soc_pct, 64);
      assert.equal('pv1_power' in reading, false, 'terms are not fields of the reading');
    } finally {
      await reader.close();
    }
  });

  test('an optional block answering 02, then one not answering: fields absent, reading delivered, counted', async () => {
    setMeasurements(1000);
    const reader = createDeviceReader(config(), deps);
    try {
      // Identity block, measurements, then the optional battery block answers "illegal data address".
      responder.next({ kind: 'reply' }, { kind: 'reply' }, { kind: 'exception', code: 2 });
      const first = await reader.read();
      assert.equal(first.ac_power_w, 1500);
      assert.equal('battery_soc_pct' in first, false);
      assert.equal(first.serial, 'SN123456');
      assert.deepEqual(reader.stats().absentBlocks, { '3:300': 1 });
      // The absent block is not asked for again at once: the next reads carry on without it.
      const before = responder.requests.filter((r) => r.address === 300).length;
      await reader.read();
      assert.equal(responder.requests.filter((r) => r.address === 300).length, before);
      assert.ok(OPTIONAL_BLOCK_RETRY_READS > 1);
    } finally {
      await reader.close();
    }
    const second = createDeviceReader(config(), deps);
    try {
      // Identity and measurements answer; the battery block never does.
      responder.next({ kind: 'reply' }, { kind: 'reply' }, { kind: 'silent' });
      const reading = await second.read();
      assert.equal(reading.ac_power_w, 1500);
      assert.equal('battery_soc_pct' in reading, false);
      assert.deepEqual(second.stats().absentBlocks, { '3:300': 1 });
      assert.ok(second.stats().timeouts >= 1);
    } finally {
      await second.close();
    }
  });

  test('a required block failing still fails the reading', async () => {
    const reader = createDeviceReader(config(), deps);
    try {
      responder.next({ kind: 'reply' }, { kind: 'exception', code: 2 });
      await assert.rejects(reader.read(), /0x02|illegal/i);
    } finally {
      await reader.close();
    }
  });

  test('an acc32 energy counter keeps counting across a 2^32 rollover and a restart', async () => {
    const store = join(dir, 'accumulators');
    rmSync(store, { recursive: true, force: true });
    const top = 2 ** 32 - 10;
    setMeasurements(top);
    const first = createDeviceReader(config(), deps);
    try {
      assert.equal((await first.read()).energy_total_wh, top * 10);
      setMeasurements(5);
      assert.equal((await first.read()).energy_total_wh, (2 ** 32 + 5) * 10);
    } finally {
      await first.close();
    }
    // A new reader (the gateway restarted) finds the rollover count in the data directory.
    const restarted = createDeviceReader(config(), deps);
    try {
      setMeasurements(7);
      assert.equal((await restarted.read()).energy_total_wh, (2 ** 32 + 7) * 10);
    } finally {
      await restarted.close();
    }
    // Without the persisted state the same registers read as the raw counter.
    const fresh = createDeviceReader(config(), { ...deps, accumulators: undefined });
    try {
      assert.equal((await fresh.read()).energy_total_wh, 70);
    } finally {
      await fresh.close();
    }
  });
});

test('identity and nameplate are read once per connection (request counts at the simulator)', async () => {
  const sim = await startSimulator({ devices: [{ profile: 'huawei' }], seed: 3 });
  const [device] = sim.devices;
  const reader = createDeviceReader(
    {
      id: 'inv1',
      type: 'tcp',
      host: device!.host,
      port: device!.port,
      unit: device!.unit,
      profile: 'huawei',
      closeBetweenPolls: false,
    } as DeviceConfig,
    { clock: new SystemClock(), logger: silentLogger(), profiles: ProfileRegistry.load() },
  );
  const reads = (address: number): number => sim.stats().devices[0]!.server.reads[`1:3:${address}`] ?? 0;
  try {
    for (let i = 0; i < 3; i++) {
      const reading = await reader.read();
      assert.match(reading.serial ?? '', /^SIM/, 'identity still in every reading');
      assert.ok(reading.rated_power_w! > 0);
    }
    assert.equal(reads(30000), 1, 'model/serial block once');
    assert.equal(reads(30073), 1, 'rated power once');
    assert.equal(reads(32064), 3, 'measurements every harvest');
    // A new connection reads the identity again (it may be another device behind the same address).
    sim.faults(device!.id).dropConnections();
    const until = Date.now() + 5000;
    while (reads(30000) < 2 && Date.now() < until) await reader.read().catch(() => undefined);
    assert.equal(reads(30000), 2);
  } finally {
    await reader.close();
    await sim.stop();
  }
});
