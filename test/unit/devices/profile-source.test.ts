import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NotFoundError } from '../../../server/src/core/errors.ts';
import { silentLogger } from '../../../server/src/core/logger.ts';
import { CaptureRing } from '../../../server/src/devices/capture-ring.ts';
import { frequencyBlockOf } from '../../../server/src/devices/frequency-block.ts';
import { discoveredProfileSource } from '../../../server/src/devices/profile-source.ts';
import type { SunSpecDiscovery } from '../../../server/src/devices/sunspec-discovery.ts';
import { ProfileSchema } from '../../../server/src/profiles/profile-schema.ts';
import { ProfileRegistry } from '../../../server/src/profiles/profile-registry.ts';

const profile = ProfileSchema.parse({
  id: 'x',
  make: 'X',
  transport: { addressing: 1 },
  blocks: [{ start: 1, count: 100 }],
  points: { grid_frequency_hz: { address: 41, type: 'u16', sf: 45 } },
});

test('a discovered profile is found once for concurrent callers, and again after a misfit', async () => {
  let walks = 0;
  const discover: SunSpecDiscovery = async () => {
    walks += 1;
    return { profile, how: 'test' };
  };
  const source = discoveredProfileSource({
    device: 'inv1',
    mode: 'sunspec',
    read: async () => [],
    profiles: ProfileRegistry.load(),
    discoverSunSpec: discover,
    logger: silentLogger(),
  });
  const [a, b] = await Promise.all([source.resolve(), source.resolve()]);
  assert.equal(a, b);
  assert.equal(walks, 1);
  source.misfit();
  await source.resolve();
  assert.equal(walks, 2);
});

test('a failed discovery is not cached', async () => {
  let found = false;
  const source = discoveredProfileSource({
    device: 'inv1',
    mode: 'sunspec',
    read: async () => [],
    profiles: ProfileRegistry.load(),
    discoverSunSpec: async () => (found ? { profile, how: 'test' } : undefined),
    logger: silentLogger(),
  });
  await assert.rejects(
    source.resolve(),
    (e) => e instanceof NotFoundError && /^inv1: no SunSpec marker/.test(e.message),
  );
  found = true;
  assert.equal((await source.resolve()).id, 'x');
});

test('without a frequency block, the 10 Hz read spans the value and its scale factor', () => {
  assert.deepEqual(frequencyBlockOf(profile), { function: 3, start: 40, count: 5 });
});

test('the capture ring keeps the last captures and counts all', () => {
  const ring = new CaptureRing(2);
  for (let i = 0; i < 3; i++)
    ring.add({
      device: 'd',
      protocol: 'modbus-tcp',
      unit: 1,
      profile: 'p',
      ts: i,
      blocks: [],
      error: `e${i}`,
    });
  assert.equal(ring.total, 3);
  assert.deepEqual(
    ring.list().map((c) => c.error),
    ['e1', 'e2'],
  );
});
