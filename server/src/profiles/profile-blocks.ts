/**
 * A profile's reads in wire addresses: what a device reader asks the device for, and what the
 * simulator must serve. Profile files number registers as their vendor document does.
 */
import type { Block, Profile } from './profile-schema.ts';
import { wireAddress } from './register-codec.ts';

/** One read on the wire: function code, first wire address, register count (≤ 125). */
export interface WireBlock {
  function: 3 | 4;
  start: number;
  count: number;
}

function toWire(
  profile: Pick<Profile, 'transport'>,
  block: Pick<Block, 'function' | 'start' | 'count'>,
): WireBlock {
  return { function: block.function, start: wireAddress(profile, block.start), count: block.count };
}

/** Every block of the profile in wire addresses, in file order. */
export function wireBlocks(profile: Pick<Profile, 'transport' | 'blocks'>): WireBlock[] {
  return profile.blocks.map((block) => toWire(profile, block));
}

/** The 10 Hz frequency read in wire addresses, or undefined when the profile has none. */
export function wireFrequencyBlock(profile: Pick<Profile, 'transport' | 'frequency'>): WireBlock | undefined {
  return profile.frequency === undefined ? undefined : toWire(profile, profile.frequency);
}

/** A block as the reader plans it: the wire read, how often, whether the device may lack it. */
export interface PlannedBlock extends WireBlock {
  cadence: Block['cadence'];
  optional: boolean;
  /** "fc:start" in wire addresses, for counters and caches. */
  key: string;
}

/** Every block of the profile with its cadence and optionality, in file order. */
export function plannedBlocks(profile: Pick<Profile, 'transport' | 'blocks'>): PlannedBlock[] {
  return profile.blocks.map((block) => {
    const wire = toWire(profile, block);
    return {
      ...wire,
      cadence: block.cadence,
      optional: block.optional,
      key: `${wire.function}:${wire.start}`,
    };
  });
}
