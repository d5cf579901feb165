/**
 * SunSpec discovery in one call, for device readers: walk the chain through the caller's register
 * read, then build the profile to decode it with.
 */
import type { Profile } from '../profile-schema.ts';
import { SUNSPEC_BASES, walkSunSpecChain, type RegisterRead } from './sunspec-chain.ts';
import { buildSunSpecProfile } from './sunspec-profile.ts';

/** Finds the device's SunSpec chain (bases 40000, 0, 50000 by default) and returns its profile. */
export async function discoverSunSpecProfile(
  read: RegisterRead,
  bases: readonly number[] = SUNSPEC_BASES,
): Promise<Profile> {
  return buildSunSpecProfile(await walkSunSpecChain(read, bases));
}
