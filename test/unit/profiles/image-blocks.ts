// Test helpers: read a profile's blocks out of a register image, and a seeded random generator.
import type { RawBlock } from '../../../server/src/profiles/decode.ts';
import type { RegisterImage } from '../../../server/src/profiles/encode.ts';
import { wireBlocks } from '../../../server/src/profiles/profile-blocks.ts';
import type { Profile } from '../../../server/src/profiles/profile-schema.ts';

/** The raw blocks a device reader would get for `profile` from a device serving `image`. */
export function readBlocks(profile: Profile, image: RegisterImage): RawBlock[] {
  return wireBlocks(profile).map((b) => {
    const table = b.function === 3 ? image.holding : image.input;
    const registers = Array.from({ length: b.count }, (_, i) => {
      const value = table.get(b.start + i);
      if (value === undefined) throw new Error(`image lacks ${b.function}:${b.start + i}`);
      return value;
    });
    return { function: b.function, start: b.start, registers };
  });
}

/**
 * Blocks of `profile` filled with `fill`, with `words` written at WIRE addresses: key "35" writes into any
 * block holding address 35, "4:35" only into function-4 blocks.
 */
export function fixtureBlocks(profile: Profile, words: Record<string, number[]>, fill = 0): RawBlock[] {
  return wireBlocks(profile).map((b) => {
    const registers = new Array<number>(b.count).fill(fill);
    for (const [key, values] of Object.entries(words)) {
      const [fn, address] = key.includes(':') ? key.split(':').map(Number) : [b.function, Number(key)];
      if (fn !== b.function || address === undefined) continue;
      values.forEach((w, i) => {
        const at = address + i - b.start;
        if (at >= 0 && at < b.count) registers[at] = w;
      });
    }
    return { function: b.function, start: b.start, registers };
  });
}

/** A small deterministic PRNG (mulberry32) so failures reproduce. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
