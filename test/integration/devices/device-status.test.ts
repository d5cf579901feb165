/**
 * Truthful device state over real TCP (raw-socket responder): a device whose every read answers an
 * exception is `failing` after one harvest although its socket is connected; a close-between-polls
 * device (config or single-client profile) is `connected` although its socket is closed between
 * polls, and shows the effective closeBetweenPolls; a reading is stale past 3 harvest periods.
 * Harvests are driven by hand (harvest counts), the status clock is a manual one.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DeviceConfig } from '../../../server/src/config/schema.ts';
import { ManualClock, SystemClock } from '../../../server/src/core/clock.ts';
import { EventBus } from '../../../server/src/core/event-bus.ts';
import { silentLogger } from '../../../server/src/core/logger.ts';
import { deviceView } from '../../../server/src/api/routes/devices.ts';
import {
  createDeviceReader,
  type DeviceReaderDeps,
} from '../../../server/src/devices/create-device-reader.ts';
import { DevicePipeline } from '../../../server/src/devices/device-pipeline.ts';
import type { ModbusDeviceReader } from '../../../server/src/devices/modbus-device-reader.ts';
import { Scheduler } from '../../../server/src/engine/scheduler.ts';
import { ProfileRegistry } from '../../../server/src/profiles/profile-registry.ts';
import { encodeReading } from '../../../server/src/profiles/encode.ts';
import { ModbusResponder } from '../../fakes/modbus-responder.ts';
import { loadImage, sunspecDevice, valuesFor } from './profile-images.ts';

const HARVEST_MS = 1000;

describe('device status', () => {
  let responder: ModbusResponder;
  let deps: DeviceReaderDeps;
  const device = (
    over: Partial<DeviceConfig> & { id: string; profile: string; unit: number },
  ): DeviceConfig =>
    ({
      type: 'tcp',
      host: '127.0.0.1',
      port: responder.port,
      closeBetweenPolls: false,
      ...over,
    }) as DeviceConfig;

  before(async () => {
    responder = await ModbusResponder.start();
    deps = {
      clock: new SystemClock(),
      logger: silentLogger(),
      profiles: ProfileRegistry.load({}),
      timeouts: { connectMs: 1000, minMs: 150, maxMs: 300 },
    };
  });
  after(() => responder.close());

  /** A pipeline whose status clock is manual; harvest() is called by the test. */
  function pipelineOf(reader: ModbusDeviceReader): { pipeline: DevicePipeline; clock: ManualClock } {
    const clock = new ManualClock(new SystemClock().nowMs());
    const pipeline = new DevicePipeline({
      reader,
      engine: new Scheduler({ clock }),
      clock,
      bus: new EventBus(),
      logger: silentLogger(),
      harvestIntervalMs: HARVEST_MS,
      frequencyHz: 0,
      onHarvest: () => undefined,
    });
    return { pipeline, clock };
  }

  function view(reader: ModbusDeviceReader, config: DeviceConfig, pipeline: DevicePipeline) {
    return deviceView({
      config,
      stats: reader.stats(),
      status: pipeline.status(),
      closeBetweenPolls: reader.closeBetweenPolls,
      ...(pipeline.reading ? { reading: pipeline.reading } : {}),
    }) as {
      state: string;
      status: { state: string; reason?: string; stale: boolean; lastGoodAgeMs?: number };
      config: DeviceConfig;
      closeBetweenPolls: boolean;
      reading?: { stale?: boolean };
    };
  }

  test('every read answering an exception is failing after one harvest, with the reason', async () => {
    // SMA-style mistake: the device is at unit 3, the config says unit 1 → exception 02 on every block.
    loadImage(responder, 3, sunspecDevice().image);
    const config = device({ id: 'wrong-unit', profile: 'sunspec', unit: 1 });
    const reader = createDeviceReader(config, deps) as ModbusDeviceReader;
    const { pipeline } = pipelineOf(reader);
    try {
      assert.equal(pipeline.status().state, 'offline');
      await pipeline.harvest();
      assert.equal(reader.state(), 'connected', 'the socket is up: the old state would say connected');
      const shown = view(reader, config, pipeline);
      assert.equal(shown.state, 'failing');
      assert.match(shown.status.reason ?? '', /SunSpec|exception 0x02/i);
      assert.equal(shown.status.stale, true);
    } finally {
      await reader.close();
    }
  });

  test('an unreachable device is backoff after a good reading, offline once it is stale', async () => {
    const profile = deps.profiles.get('sungrow');
    loadImage(responder, 4, encodeReading(profile, valuesFor(profile)));
    const config = device({ id: 'flaky', profile: 'sungrow', unit: 4 });
    const reader = createDeviceReader(config, deps) as ModbusDeviceReader;
    const { pipeline, clock } = pipelineOf(reader);
    try {
      await pipeline.harvest();
      assert.equal(pipeline.status().state, 'connected');
      await reader.close(); // closed link: the next read fails on the link, not with an answer
      await pipeline.harvest();
      assert.equal(pipeline.status().state, 'backoff');
      await clock.advance(pipeline.reading!.ts + 3 * HARVEST_MS + 1 - clock.nowMs());
      const status = pipeline.status();
      assert.equal(status.state, 'offline');
      assert.equal(status.stale, true);
      assert.ok((status.lastGoodAgeMs ?? 0) > 3 * HARVEST_MS);
    } finally {
      await reader.close();
    }
  });

  test('a single-client device closed between polls is connected and shows closeBetweenPolls', async () => {
    const profile = deps.profiles.get('kostal-plenticore');
    assert.equal(profile.transport.singleClient, true);
    loadImage(responder, profile.transport.unit, encodeReading(profile, valuesFor(profile)));
    const config = device({ id: 'single', profile: profile.id, unit: profile.transport.unit });
    const reader = createDeviceReader(config, deps) as ModbusDeviceReader;
    const { pipeline, clock } = pipelineOf(reader);
    try {
      await pipeline.harvest();
      await pipeline.harvest();
      assert.equal(reader.state(), 'disconnected', 'the socket is closed between polls');
      let shown = view(reader, config, pipeline);
      assert.equal(shown.state, 'connected');
      assert.equal(shown.closeBetweenPolls, true);
      assert.equal(shown.config.type === 'tcp' && shown.config.closeBetweenPolls, true);
      assert.equal(shown.reading?.stale, false);
      await clock.advance(pipeline.reading!.ts + 3 * HARVEST_MS + 1 - clock.nowMs());
      shown = view(reader, config, pipeline);
      assert.equal(shown.reading?.stale, true, 'no good reading for 3 harvest periods: stale');
    } finally {
      await reader.close();
    }
  });
});
