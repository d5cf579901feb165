import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../server/src/core/clock.ts';
import { EventBus, type GatewayEvents } from '../../../server/src/core/event-bus.ts';
import { silentLogger } from '../../../server/src/core/logger.ts';
import type { Reading } from '../../../server/src/core/reading.ts';
import { Scheduler } from '../../../server/src/engine/scheduler.ts';
import { DevicePipeline } from '../../../server/src/devices/device-pipeline.ts';
import { FakeDeviceReader } from '../../fakes/fake-device-reader.ts';

function setup(ids: string[], frequencyHz = 10) {
  const clock = new ManualClock();
  const bus = new EventBus();
  const engine = new Scheduler({ clock });
  const harvests: Reading[] = [];
  const states: GatewayEvents['device-state'][] = [];
  let samples = 0;
  bus.on('device-state', (e) => states.push(e));
  bus.on('frequency', () => samples++);
  const readers = new Map<string, FakeDeviceReader>();
  const pipelines = ids.map((id, i) => {
    const reader = new FakeDeviceReader(clock, {
      id,
      frequencyHz: (call) => 49.9 + (call % 3) * 0.1,
    });
    readers.set(id, reader);
    return new DevicePipeline({
      reader,
      engine,
      clock,
      bus,
      logger: silentLogger(),
      harvestIntervalMs: 1000,
      frequencyHz,
      phaseMs: i * 7,
      onHarvest: (r) => harvests.push(r),
    });
  });
  for (const p of pipelines) p.start();
  engine.start();
  return { clock, engine, bus, harvests, states, readers, pipelines, samples: () => samples };
}

test('samples at 10 Hz and stamps each 1 s harvest with its window’s frequency statistics', async () => {
  const { clock, harvests, pipelines, samples } = setup(['inv']);
  await clock.advance(5000);
  assert.equal(harvests.length, 5);
  for (const h of harvests.slice(1)) {
    assert.equal(h.grid_frequency_samples, 10);
    assert.equal(h.grid_frequency_min_hz, 49.9);
    assert.equal(h.grid_frequency_max_hz, 50.1);
    assert.ok(Math.abs((h.grid_frequency_mean_hz ?? 0) - 50) < 0.04);
  }
  assert.equal(samples(), 51);
  assert.equal(pipelines[0]?.reading, harvests.at(-1));
  const snapshot = pipelines[0]!.sampler.snapshot(20);
  assert.equal(snapshot.samples.length, 20);
  assert.equal(snapshot.stats.count, 20);
});

test('without a frequency task, harvests carry a zero sample count and no min/max/mean', async () => {
  const { clock, harvests, readers } = setup(['inv'], 0);
  await clock.advance(2000);
  assert.equal(readers.get('inv')?.frequencyCalls, 0);
  assert.deepEqual(
    harvests.map((h) => [h.grid_frequency_samples, h.grid_frequency_min_hz]),
    [
      [0, undefined],
      [0, undefined],
    ],
  );
});

test('a dead device backs off without I/O and is picked up again within 10 s of coming back', async () => {
  const { clock, engine, harvests, states, readers } = setup(['dead', 'ok']);
  const dead = readers.get('dead')!;
  const ok = readers.get('ok')!;
  dead.failing = true;
  await clock.advance(60_000);
  // Backoff caps at 5 s: a minute of a dead device costs a handful of attempts, not 660.
  assert.ok(dead.frequencyCalls + dead.readCalls < 30, `${dead.frequencyCalls + dead.readCalls} attempts`);
  assert.equal(ok.frequencyCalls, 600, 'the healthy device kept its 10 Hz cadence');
  assert.equal(harvests.filter((h) => h.device === 'ok').length, 59, 'harvests at 1007 … 59007 ms');
  assert.deepEqual(
    states.filter((s) => s.device === 'dead').map((s) => s.state),
    ['backoff'],
  );
  assert.equal(engine.stats().frequency?.overruns, 0);

  dead.failing = false;
  const backAt = clock.monotonicMs();
  while (!harvests.some((h) => h.device === 'dead')) await clock.advance(100);
  assert.ok(clock.monotonicMs() - backAt <= 10_000, 'picked up within 10 s');
  assert.equal(states.filter((s) => s.device === 'dead').at(-1)?.state, 'connected');
});

test('a slow device overruns its own slots but never delays another device’s reads', async () => {
  const { clock, engine, readers } = setup(['slow', 'fast']);
  readers.get('slow')!.delayMs = 250;
  await clock.advance(10_000);
  assert.equal(readers.get('fast')?.frequencyCalls, 100, 'slots at 7, 107, … 9907 ms');
  assert.ok((readers.get('slow')?.frequencyCalls ?? 0) < 60);
  assert.ok((engine.stats().frequency?.overruns ?? 0) > 0, 'the slow device’s skipped slots are counted');
});

test('stop cancels both tasks', async () => {
  const { clock, readers, pipelines } = setup(['inv']);
  await clock.advance(1000);
  pipelines[0]?.stop();
  const before = readers.get('inv')!.frequencyCalls;
  await clock.advance(5000);
  assert.equal(readers.get('inv')?.frequencyCalls, before);
});

test('msUntilNextSlot: time to the next 10 Hz or harvest slot, 0 while a read runs', async () => {
  const { clock, pipelines, readers } = setup(['inv']);
  const pipeline = pipelines[0]!;
  assert.equal(pipeline.msUntilNextSlot(), 0, 'the first frequency slot is due now');
  await clock.advance(30);
  assert.equal(pipeline.msUntilNextSlot(), 70);
  await clock.advance(65);
  assert.equal(pipeline.msUntilNextSlot(), 5);
  readers.get('inv')!.delayMs = 20;
  await clock.advance(10);
  assert.equal(pipeline.msUntilNextSlot(), 0, 'the 10 Hz read at 100 ms is still running');
  await clock.advance(20);
  assert.equal(pipeline.msUntilNextSlot(), 75);
  pipeline.stop();
  assert.equal(pipeline.msUntilNextSlot(), Infinity, 'a stopped pipeline has no slots');
});
