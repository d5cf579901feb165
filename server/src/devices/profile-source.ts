/**
 * Where a device reader gets its profile: a fixed file profile, or one discovered on the device
 * (`sunspec`: the SunSpec model chain; `auto`: SunSpec, then identification rules). A discovered
 * profile is cached until a read shows it no longer fits (misfit), e.g. after a firmware update
 * behind a reconnect; concurrent callers share one discovery.
 */
import type { Logger } from '../core/logger.ts';
import { NotFoundError, ProfileError } from '../core/errors.ts';
import type { Profile } from '../profiles/profile-schema.ts';
import type { ProfileRegistry } from '../profiles/profile-registry.ts';
import { identifyProfile } from './identify-profile.ts';
import type { RegisterReader } from './register-reader.ts';
import type { SunSpecDiscovery } from './sunspec-discovery.ts';

/** The profile of one device. */
export interface ProfileSource {
  /** The configured id: a profile id, "sunspec" or "auto". */
  readonly id: string;
  /** The profile to read with (discovering it on the device if needed). */
  resolve(signal?: AbortSignal): Promise<Profile>;
  /** The last reads did not fit the profile: discover again next time (no-op for fixed profiles). */
  misfit(): void;
  /** The unit identification found the device at, when it searched the profiles' units. */
  foundUnit?(): number | undefined;
}

/** A profile from a file. */
export function fixedProfileSource(profile: Profile): ProfileSource {
  return { id: profile.id, resolve: async () => profile, misfit: () => {} };
}

export interface DiscoveredSourceOptions {
  device: string;
  mode: 'sunspec' | 'auto';
  read: RegisterReader;
  profiles: ProfileRegistry;
  discoverSunSpec: SunSpecDiscovery;
  logger: Logger;
  /** No unit was named: `auto` tries each identify rule at its profile's unit (identifyProfile). */
  readAt?: (unit: number) => RegisterReader;
}

/** A profile discovered on the device and cached. */
export function discoveredProfileSource(options: DiscoveredSourceOptions): ProfileSource {
  const { device, mode, read, profiles, discoverSunSpec, logger, readAt } = options;
  let cached: Promise<Profile> | undefined;
  let unit: number | undefined;
  const discover = async (signal?: AbortSignal): Promise<Profile> => {
    if (mode === 'sunspec') {
      const found = await discoverSunSpec(read, signal).catch((error: unknown) => {
        // e.g. "SunSpec chain at 40000 has no inverter or meter model": say which device.
        if (error instanceof ProfileError && !error.message.startsWith(`${device}:`)) {
          throw new ProfileError(`${device}: ${error.message}`, { ...error.where, device }, error);
        }
        throw error;
      });
      if (found === undefined) {
        throw new NotFoundError(`${device}: no SunSpec marker "SunS" at 40000, 0 or 50000`, { device });
      }
      logger.info({ device, how: found.how }, 'SunSpec profile discovered');
      return found.profile;
    }
    const found = await identifyProfile(device, read, profiles, discoverSunSpec, signal, readAt);
    unit = found.unit;
    logger.info({ device, profile: found.profile.id, how: found.how, unit }, 'profile identified');
    return found.profile;
  };
  return {
    id: mode,
    resolve(signal) {
      if (cached === undefined) {
        const attempt = discover(signal);
        cached = attempt;
        // A failed discovery is not cached: the next read tries again.
        attempt.catch(() => {
          if (cached === attempt) cached = undefined;
        });
      }
      return cached;
    },
    misfit() {
      cached = undefined;
    },
    foundUnit: () => unit,
  };
}
