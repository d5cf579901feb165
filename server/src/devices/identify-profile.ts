/**
 * `--profile auto` and `egw scan`: which profile fits a device. SunSpec first (a "SunS" marker at
 * 40000, 0 or 50000 and a model chain to walk), then each profile's identification registers.
 * Anything that does not answer, answers with an exception or does not match just rules a
 * candidate out; only the connection's own failures (device gone) stop the search.
 */
import { EgwError, ModbusError, NotFoundError, TimeoutError } from '../core/errors.ts';
import type { Profile } from '../profiles/profile-schema.ts';
import type { ProfileRegistry } from '../profiles/profile-registry.ts';
import { wireAddress, wordsToText } from '../profiles/register-codec.ts';
import type { RegisterReader } from './register-reader.ts';
import type { SunSpecDiscovery } from './sunspec-discovery.ts';

/** The profile found and how it was recognised. */
export interface Identified {
  profile: Profile;
  /** e.g. "SunSpec chain at 40000 (models 1, 103, 160)" or "identify rule of huawei". */
  how: string;
  /** The unit the device answered at, when the rules were tried at their profiles' units (readAt). */
  unit?: number;
}

/** Whether `profile`'s identify rule matches the device. Exceptions and timeouts mean "no". */
export async function matchesIdentifyRule(
  read: RegisterReader,
  profile: Profile,
  signal?: AbortSignal,
): Promise<boolean> {
  const rule = profile.identify;
  if (rule === undefined) return false;
  const size = Math.max(rule.size, rule.equals?.length ?? 0);
  let words: number[];
  try {
    words = await read(rule.function, wireAddress(profile, rule.address), size, signal);
  } catch (error) {
    if (error instanceof ModbusError || error instanceof TimeoutError) return false;
    throw error;
  }
  if (rule.equals !== undefined && !rule.equals.every((value, i) => words[i] === value)) return false;
  if (rule.oneOf !== undefined && !rule.oneOf.includes(words[0] ?? -1)) return false;
  if (
    rule.contains !== undefined &&
    !wordsToText(words).toLowerCase().includes(rule.contains.toLowerCase())
  ) {
    return false;
  }
  return true;
}

/**
 * Identifies the device behind `read`; NotFoundError naming what was tried when nothing fits. With
 * `readAt` (no unit was named) each identify rule is tried at its own profile's default unit, so an
 * SMA at unit 3 or a Victron GX at 100 is found too; SunSpec is probed through `read`.
 */
export async function identifyProfile(
  device: string,
  read: RegisterReader,
  profiles: ProfileRegistry,
  discoverSunSpec: SunSpecDiscovery,
  signal?: AbortSignal,
  readAt?: (unit: number) => RegisterReader,
): Promise<Identified> {
  const sunspec = await discoverSunSpec(read, signal).catch((error: unknown) => {
    // A device that is not SunSpec may answer the probes with exceptions or not at all.
    if (error instanceof EgwError && !(error instanceof ModbusError || error instanceof TimeoutError))
      throw error;
    return undefined;
  });
  if (sunspec !== undefined) return sunspec;
  const tried: string[] = [];
  for (const profile of profiles.list()) {
    if (profile.identify === undefined) continue;
    const unit = readAt ? profile.transport.unit : undefined;
    tried.push(unit === undefined ? profile.id : `${profile.id} (unit ${unit})`);
    if (await matchesIdentifyRule(unit === undefined ? read : readAt!(unit), profile, signal))
      return { profile, how: `identify rule of ${profile.id}`, ...(unit !== undefined ? { unit } : {}) };
  }
  throw new NotFoundError(
    `${device}: no profile recognised the device: no SunSpec marker at 40000, 0 or 50000; identify rules tried: ${tried.join(', ') || 'none'}`,
    { device },
  );
}
