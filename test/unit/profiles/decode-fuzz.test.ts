// A misbehaving device must never crash the decoder: random and truncated register blocks for every
// profile (and a discovered SunSpec one) decode to a reading whose fields are all finite or absent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEVICE_STATUSES } from '../../../server/src/core/reading.ts';
import { decodeFrequency, decodeReading, type RawBlock } from '../../../server/src/profiles/decode.ts';
import { wireBlocks } from '../../../server/src/profiles/profile-blocks.ts';
import { ProfileRegistry } from '../../../server/src/profiles/profile-registry.ts';
import type { Profile } from '../../../server/src/profiles/profile-schema.ts';
import { buildSunSpecProfile } from '../../../server/src/profiles/sunspec/sunspec-profile.ts';
import { seededRandom } from './image-blocks.ts';

const sunspec = buildSunSpecProfile({
  base: 40000,
  models: [
    { id: 1, start: 40002, length: 66 },
    { id: 120, start: 40070, length: 26 },
    { id: 103, start: 40098, length: 50 },
    { id: 160, start: 40150, length: 88 },
    { id: 203, start: 40240, length: 105 },
  ],
});
const profiles: Profile[] = [...ProfileRegistry.load().list(), sunspec];

function randomBlocks(profile: Profile, random: () => number): RawBlock[] {
  return wireBlocks(profile).map((b) => {
    // Sometimes the device answers with fewer registers than asked.
    const count = random() < 0.2 ? Math.floor(random() * b.count) : b.count;
    const registers = Array.from({ length: count }, () => Math.floor(random() * 0x10000));
    return { function: b.function, start: b.start, registers };
  });
}

for (const profile of profiles) {
  test(`${profile.id}: random register contents never throw and decode to finite values or nothing`, () => {
    const random = seededRandom(profile.id.charCodeAt(0) * 31 + profile.blocks.length);
    for (let i = 0; i < 200; i++) {
      const blocks = randomBlocks(profile, random);
      const reading = decodeReading(profile, blocks);
      for (const [field, value] of Object.entries(reading)) {
        if (field === 'status') assert.ok((DEVICE_STATUSES as readonly string[]).includes(value as string));
        else if (typeof value === 'number') assert.ok(Number.isFinite(value), `${field}=${value}`);
        else assert.equal(typeof value, 'string', field);
      }
      const frequency = decodeFrequency(profile, blocks[0] as RawBlock);
      assert.ok(frequency === undefined || Number.isFinite(frequency));
    }
  });
}
