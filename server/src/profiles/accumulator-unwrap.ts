/**
 * Energy accumulators (`acc32`) roll over at 2³² on real devices; the reading must keep counting up.
 * A drop of more than half the range between two reads is a rollover (a counter reset to zero is a
 * small drop and stays one). The wrap count is the state to persist, so a restart keeps the offset.
 */
import { decodeRawInteger, readScaleFactor, roundToStep, type RawBlock } from './decode-point.ts';
import type { Profile } from './profile-schema.ts';

const RANGE = 2 ** 32;

/** Per field: the last raw value seen and how many rollovers were counted. */
export type AccumulatorState = Record<string, { lastRaw: number; wraps: number }>;

/**
 * Adds the rollover offset to every acc32 field of `decoded` (in place) and updates `state`.
 * Returns true when a rollover was counted (the state should be persisted now).
 */
export function unwrapAccumulators(
  profile: Profile,
  blocks: readonly RawBlock[],
  decoded: Record<string, unknown>,
  state: AccumulatorState,
): boolean {
  let wrapped = false;
  for (const [field, point] of Object.entries(profile.points)) {
    if (point?.type !== 'acc32' || typeof decoded[field] !== 'number') continue;
    const raw = decodeRawInteger(profile, point, blocks);
    const sf = readScaleFactor(profile, point, blocks);
    if (raw === undefined || sf === undefined) continue;
    const entry = state[field] ?? { lastRaw: raw, wraps: 0 };
    if (entry.lastRaw - raw > RANGE / 2) {
      entry.wraps += 1;
      wrapped = true;
    }
    entry.lastRaw = raw;
    state[field] = entry;
    if (entry.wraps > 0) {
      const step = point.gain * 10 ** sf;
      decoded[field] = roundToStep((decoded[field] as number) + entry.wraps * RANGE * step, step);
    }
  }
  return wrapped;
}
