/**
 * The read for the 10 Hz path when a profile names none: the span from the frequency register to its
 * scale-factor register (same function), so value and scale still come from one request.
 */
import type { WireBlock } from '../profiles/profile-blocks.ts';
import type { Profile } from '../profiles/profile-schema.ts';
import { pointWords, wireAddress } from '../profiles/register-codec.ts';

/** The smallest block holding the grid frequency and its scale factor, or undefined if none. */
export function frequencyBlockOf(profile: Profile): WireBlock | undefined {
  const point = profile.points.grid_frequency_hz;
  if (point === undefined) return undefined;
  const value = wireAddress(profile, point.address);
  const end = value + pointWords(point);
  const sf = point.sf === undefined ? undefined : wireAddress(profile, point.sf);
  const start = sf === undefined ? value : Math.min(value, sf);
  const stop = sf === undefined ? end : Math.max(end, sf + 1);
  if (stop - start > 125) return undefined;
  return { function: point.function, start, count: stop - start };
}
