/**
 * The device reader over real TCP against the raw-socket responder: hand-made register fixtures
 * (sentinels, negative scale factors, low word first, 1-based documents), SunSpec discovery and
 * rediscovery, busy retries, captures, close between polls and recovery from link faults.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeviceConfig } from '../../../server/src/config/schema.ts';
import { SystemClock } from '../../../server/src/core/clock.ts';
import { ModbusError, NotFoundError, ProfileError, TransportError } from '../../../server/src/core/errors.ts';
import { silentLogger } from '../../../server/src/core/logger.ts';
import {
  createDeviceReader,
  type DeviceReaderDeps,
} from '../../../server/src/devices/create-device-reader.ts';
import { ProfileRegistry } from '../../../server/src/profiles/profile-registry.ts';
import { pointOf } from '../../../server/src/profiles/sunspec/sunspec-model.ts';
import { SUNSPEC_MODELS } from '../../../server/src/profiles/sunspec/sunspec-models.ts';
import { ModbusResponder } from '../../fakes/modbus-responder.ts';
import { loadImage, sunspecChain, sunspecDevice } from './profile-images.ts';

const s16 = (v: number): number => v & 0xffff;

/** A 1-based, low-word-first test profile, as Sungrow-style documents describe registers. */
const LOW_FIRST_PROFILE = {
  id: 'lowfirst',
  make: 'Testmake',
  transport: { unit: 3, addressing: 1 },
  blocks: [{ function: 4, start: 5001, count: 10 }],
  frequency: { function: 4, start: 5006, count: 1 },
  points: {
    ac_power_w: { address: 5001, function: 4, type: 'u32', words: 'low-first' },
    energy_total_wh: { address: 5003, function: 4, type: 'u32', words: 'low-first', gain: 100 },
    temperature_c: { address: 5005, function: 4, type: 's16', gain: 0.1, notImplemented: [0x7fff] },
    grid_frequency_hz: { address: 5006, function: 4, type: 'u16', gain: 0.01 },
    ac_voltage_l1_v: { address: 5007, function: 4, type: 'u16', gain: 0.1, notImplemented: [0xffff] },
  },
};

describe('ModbusDeviceReader', () => {
  let responder: ModbusResponder;
  let dir: string;
  let deps: DeviceReaderDeps;
  const clock = new SystemClock();
  const device = (over: Partial<DeviceConfig> & { profile: string; unit: number }): DeviceConfig =>
    ({
      id: 'inv1',
      type: 'tcp',
      host: '127.0.0.1',
      port: responder.port,
      closeBetweenPolls: false,
      ...over,
    }) as DeviceConfig;

  before(async () => {
    responder = await ModbusResponder.start();
    dir = mkdtempSync(join(tmpdir(), 'egw-profiles-'));
    writeFileSync(join(dir, 'lowfirst.json'), JSON.stringify(LOW_FIRST_PROFILE));
    deps = {
      clock,
      logger: silentLogger(),
      profiles: ProfileRegistry.load({ extraDir: dir }),
      timeouts: { connectMs: 1000, minMs: 150, maxMs: 300 },
    };
  });
  after(async () => {
    await responder.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('1-based addresses and low-word-first values decode; sentinels become absent fields', async () => {
    // Document register 5001 is wire address 5000. 123456 W = 0x0001E240, sent low word first.
    responder.set(4, 3, 5000, [0xe240, 0x0001, 0x5678, 0x0012, 0x7fff, 4998, 0xffff, 0, 0, 0]);
    const reader = createDeviceReader(device({ profile: 'lowfirst', unit: 3 }), deps);
    try {
      const reading = await reader.read();
      const { ts, read_ms: readMs, ...rest } = reading;
      assert.ok(ts > 0 && readMs >= 0);
      assert.deepEqual(rest, {
        device: 'inv1',
        profile: 'lowfirst',
        make: 'Testmake',
        ac_power_w: 123456,
        energy_total_wh: 0x00125678 * 100,
        grid_frequency_hz: 49.98,
      });
      assert.equal(await reader.readFrequency(), 49.98);
      assert.deepEqual(responder.requests.at(-1), {
        tid: responder.requests.at(-1)!.tid,
        unit: 3,
        fc: 4,
        address: 5005,
        count: 1,
      });
    } finally {
      await reader.close();
    }
  });

  test('SunSpec: negative scale factors apply, not-implemented values are absent', async () => {
    const { image } = sunspecDevice();
    const inverter = sunspecChain().models.find((m) => m.id === 103)!;
    const model = SUNSPEC_MODELS.get(103)!;
    const at = (name: string): number => inverter.start + pointOf(model, name).offset;
    image.holding.set(at('W'), 31234);
    image.holding.set(at('W_SF'), s16(-1));
    image.holding.set(at('Hz'), 5002);
    image.holding.set(at('Hz_SF'), s16(-2));
    image.holding.set(at('PhVphB'), 0xffff); // uint16 not implemented
    image.holding.set(at('TmpCab'), 0x8000); // int16 not implemented
    loadImage(responder, 1, image);
    const reader = createDeviceReader(device({ profile: 'sunspec', unit: 1 }), deps);
    try {
      const reading = await reader.read();
      assert.equal(reading.profile, 'sunspec');
      assert.equal(reading.ac_power_w, 3123.4);
      assert.equal(reading.grid_frequency_hz, 50.02);
      assert.equal('ac_voltage_l2_v' in reading, false);
      assert.equal('temperature_c' in reading, false);
      assert.equal(reading.ac_voltage_l1_v, 230.1);
      assert.equal(await reader.readFrequency(), 50.02);
    } finally {
      await reader.close();
    }
  });

  test('SunSpec chain is walked once, and again after the profile stops fitting', async () => {
    loadImage(responder, 2, sunspecDevice().image);
    const reader = createDeviceReader(device({ profile: 'sunspec', unit: 2 }), deps);
    const markerReads = (): number =>
      responder.requests.filter((r) => r.unit === 2 && r.address === 40000 && r.count === 2).length;
    try {
      await reader.read();
      await reader.read();
      assert.equal(markerReads(), 1, 'chain cached');
      responder.next({ kind: 'exception', code: 2 });
      await assert.rejects(reader.read(), (e) => e instanceof ModbusError && e.exceptionCode === 2);
      assert.equal(reader.stats().captures, 1);
      assert.equal(reader.registerCaptures()[0]?.profile, 'sunspec');
      await reader.read();
      assert.equal(markerReads(), 2, 'rediscovered');
    } finally {
      await reader.close();
    }
  });

  test('a busy device (06) is retried once and the read succeeds', async () => {
    loadImage(responder, 4, sunspecDevice().image);
    const reader = createDeviceReader(device({ profile: 'sunspec', unit: 4 }), { ...deps });
    try {
      await reader.read();
      responder.next({ kind: 'exception', code: 6 });
      const reading = await reader.read();
      assert.equal(reading.grid_frequency_hz, 50.02);
      assert.deepEqual(reader.stats().exceptions, { '06': 1 });
    } finally {
      await reader.close();
    }
  });

  test('after a dropped socket or a late answer the next read succeeds; counters tell', async () => {
    loadImage(responder, 5, sunspecDevice().image);
    const reader = createDeviceReader(device({ profile: 'sunspec', unit: 5 }), deps);
    try {
      await reader.read();
      responder.next({ kind: 'drop' });
      await assert.rejects(
        reader.read(),
        (e) => e instanceof TransportError && /^inv1 unit 5 /.test(e.message),
      );
      assert.equal((await reader.read()).ac_power_w, 3120);
      responder.next({ kind: 'late', delayMs: 600 });
      await assert.rejects(reader.read(), /inv1 unit 5 FC3 \d+\+\d+: no reply within \d+ ms; reconnecting$/);
      assert.equal((await reader.read()).ac_power_w, 3120);
      const stats = reader.stats();
      assert.equal(stats.reconnects, 2);
      assert.equal(stats.timeouts, 1);
      assert.equal(stats.failures, 2);
      assert.equal(stats.state, 'connected');
    } finally {
      await reader.close();
    }
    assert.equal(reader.state(), 'closed');
  });

  test('closeBetweenPolls closes the socket after every read', async () => {
    loadImage(responder, 6, sunspecDevice().image);
    const before = responder.connections;
    const reader = createDeviceReader(device({ profile: 'sunspec', unit: 6, closeBetweenPolls: true }), deps);
    try {
      await reader.read();
      await reader.read();
      assert.equal(responder.connections - before, 2);
      assert.equal(reader.state(), 'disconnected');
      assert.equal(reader.stats().reconnects, 0);
    } finally {
      await reader.close();
    }
  });

  test('auto finds the profile by its identify rule; nothing matching is a NotFoundError', async () => {
    const registry = deps.profiles;
    const huawei = registry.list().find((p) => p.id === 'huawei');
    if (huawei) {
      const { encodeReading } = await import('../../../server/src/profiles/encode.ts');
      loadImage(responder, 7, encodeReading(huawei, { model: 'SUN2000-5KTL-L1', ac_power_w: 1000 }));
      const reader = createDeviceReader(device({ profile: 'auto', unit: 7 }), deps);
      try {
        const reading = await reader.read();
        assert.equal(reading.profile, 'huawei');
        assert.equal(reading.ac_power_w, 1000);
      } finally {
        await reader.close();
      }
    }
    responder.set(3, 8, 0, [1]);
    const unknown = createDeviceReader(device({ profile: 'auto', unit: 8 }), deps);
    try {
      await assert.rejects(
        unknown.read(),
        (e) => e instanceof NotFoundError && /^inv1: no profile recognised/.test(e.message),
      );
    } finally {
      await unknown.close();
    }
  });

  test('an unknown profile id is a ProfileError naming the device', () => {
    assert.throws(
      () => createDeviceReader(device({ profile: 'nope', unit: 1 }), deps),
      (e) => e instanceof ProfileError && /^inv1: unknown profile "nope"/.test(e.message),
    );
  });
});
