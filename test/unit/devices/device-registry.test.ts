import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DeviceConfig, ParsedDeviceConfig } from '../../../server/src/config/schema.ts';
import { ProfileRegistry } from '../../../server/src/profiles/profile-registry.ts';
import { ManualClock } from '../../../server/src/core/clock.ts';
import { ConfigError, ValidationError } from '../../../server/src/core/errors.ts';
import { EventBus } from '../../../server/src/core/event-bus.ts';
import { silentLogger } from '../../../server/src/core/logger.ts';
import { DeviceRegistry } from '../../../server/src/devices/device-registry.ts';
import { Scheduler } from '../../../server/src/engine/scheduler.ts';
import { DevicePipeline } from '../../../server/src/devices/device-pipeline.ts';
import type { SettingsTable } from '../../../server/src/config/settings-store.ts';
import { FakeDeviceReader } from '../../fakes/fake-device-reader.ts';

const tcp = (id: string, port: number): DeviceConfig & { type: 'tcp' } => ({
  id,
  type: 'tcp',
  host: '127.0.0.1',
  port,
  unit: 1,
  profile: 'sunspec',
  closeBetweenPolls: false,
});

function setup(
  configDevices: ParsedDeviceConfig[],
  data = new Map<string, unknown>(),
  profiles?: ProfileRegistry,
) {
  const clock = new ManualClock();
  const engine = new Scheduler({ clock });
  const bus = new EventBus();
  const readers = new Map<string, FakeDeviceReader>();
  const changes: string[][] = [];
  bus.on('devices-changed', (e) => changes.push(e.ids));
  const table: SettingsTable = {
    get: (key) => data.get(key),
    put: (key, value) => void data.set(key, JSON.parse(JSON.stringify(value))),
  };
  const opened: DeviceConfig[] = [];
  const registry = new DeviceRegistry({
    configDevices,
    ...(profiles ? { profiles } : {}),
    table,
    bus,
    logger: silentLogger(),
    openReader: (config) => {
      opened.push(config);
      if (config.profile === 'nope') throw new Error('unknown profile "nope"');
      const reader = new FakeDeviceReader(clock, { id: config.id, profileId: config.profile });
      readers.set(config.id, reader);
      return reader;
    },
    createPipeline: (reader, slot) =>
      new DevicePipeline({
        reader,
        engine,
        clock,
        bus,
        logger: silentLogger(),
        harvestIntervalMs: 1000,
        frequencyHz: 10,
        phaseMs: slot,
        onHarvest: () => {},
      }),
  });
  engine.start();
  return { clock, registry, readers, data, changes, opened };
}

test('starts config-file devices; added devices are read at once and survive a restart', async () => {
  const { clock, registry, readers, data, changes } = setup([tcp('inv1', 1502)]);
  await registry.start();
  const added = await registry.add(tcp('', 1503));
  assert.equal(added.config.id, 'sunspec-1', 'an id is generated when absent');
  await clock.advance(1500);
  assert.ok((readers.get('sunspec-1')?.frequencyCalls ?? 0) >= 10);
  assert.ok(registry.get('sunspec-1')?.reading, 'harvested');
  assert.equal(registry.frequency('inv1')?.stats.count, 16, 'samples at 0, 100, … 1500 ms');
  assert.deepEqual(changes.at(-1), ['inv1', 'sunspec-1']);
  await registry.close();

  const again = setup([tcp('inv1', 1502)], data);
  await again.registry.start();
  assert.deepEqual(
    again.registry.list().map((d) => d.config.id),
    ['inv1', 'sunspec-1'],
  );
  await again.registry.close();
});

test('refuses duplicate ids and endpoints with a ValidationError naming the field', async () => {
  const { registry } = setup([tcp('inv1', 1502)]);
  await registry.start();
  await assert.rejects(registry.add(tcp('inv1', 1600)), (e: unknown) => {
    assert.ok(e instanceof ValidationError);
    assert.equal(e.where.field, 'id');
    return true;
  });
  await assert.rejects(registry.add(tcp('inv2', 1502)), { where: { field: 'host' } });
  await assert.rejects(registry.add(tcp('inv3', 0)), { where: { field: 'port' } });
  await assert.rejects(registry.add({ ...tcp('inv4', 1700), profile: 'nope' }), {
    where: { field: 'profile' },
  });
  assert.equal(registry.list().length, 1);
  await registry.close();
});

test('remove stops the device’s tasks and closes it; a removed config-file device stays removed', async () => {
  const { clock, registry, readers, data } = setup([tcp('inv1', 1502)]);
  await registry.start();
  await clock.advance(500);
  assert.equal(await registry.remove('inv1'), true);
  assert.equal(await registry.remove('inv1'), false);
  const reader = readers.get('inv1')!;
  const calls = reader.frequencyCalls;
  await clock.advance(2000);
  assert.equal(reader.frequencyCalls, calls);
  assert.equal(reader.closed, true);
  const again = setup([tcp('inv1', 1502)], data);
  await again.registry.start();
  assert.equal(again.registry.list().length, 0);
});

test('a config-file device that cannot be opened stops start-up naming it', async () => {
  const { registry } = setup([{ ...tcp('bad', 1502), profile: 'nope' }]);
  await assert.rejects(
    registry.start(),
    (e: unknown) => e instanceof ConfigError && /device bad/.test(e.message),
  );
});

test("config-file and API devices without unit or port are opened at their profile's", async () => {
  const sma: ParsedDeviceConfig = {
    id: 'sma1',
    type: 'tcp',
    host: '10.0.0.3',
    profile: 'sma',
    closeBetweenPolls: false,
  };
  const { registry, opened } = setup([sma], new Map(), ProfileRegistry.load());
  await registry.start();
  await registry.add({
    id: 'se1',
    type: 'tcp',
    host: '10.0.0.4',
    profile: 'solaredge',
    closeBetweenPolls: false,
  });
  const endpoint = (c: DeviceConfig | undefined) =>
    c?.type === 'tcp' ? `${c.profile} ${c.port}/${c.unit}` : '';
  assert.deepEqual(opened.map(endpoint), ['sma 502/3', 'solaredge 1502/1']);
  assert.equal(endpoint(registry.get('sma1')?.config), 'sma 502/3', 'the API shows the unit in use');
  await registry.close();
});

test('two config devices with one id stop start-up with an error naming the id', async () => {
  const { registry } = setup([tcp('inv1', 1502), tcp('inv1', 1503)]);
  await assert.rejects(registry.start(), (error: Error) => {
    assert.ok(error instanceof ConfigError);
    assert.match(error.message, /device id "inv1" is used twice/);
    assert.doesNotMatch(error.message, /task/);
    return true;
  });
  await registry.close();
});
