/**
 * All known profiles: the built-in data files plus a user directory (config `profilesDir`). A user
 * file with a built-in id replaces the built-in one, so a profile can be fixed without touching code.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProfileError } from '../core/errors.ts';
import { loadProfileFile } from './profile-loader.ts';
import type { Profile } from './profile-schema.ts';

/** The built-in profile files. */
export const BUILTIN_PROFILES_DIR = fileURLToPath(new URL('./data/', import.meta.url));

/** Profiles found at run time (SunSpec model chain) rather than read from a file. */
export const DISCOVERED_PROFILE_IDS: readonly string[] = ['sunspec'];

function profileFiles(dir: string, extensions: readonly string[]): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    throw new ProfileError(
      `${dir}: cannot read profile directory: ${(error as Error).message}`,
      { file: dir },
      error,
    );
  }
  return names
    .filter((name) => extensions.some((ext) => name.endsWith(ext)))
    .sort()
    .map((name) => join(dir, name));
}

/** Loaded, validated profiles by id. */
export class ProfileRegistry {
  private readonly byId: ReadonlyMap<string, Profile>;

  private constructor(byId: ReadonlyMap<string, Profile>) {
    this.byId = byId;
  }

  /** Loads the built-in profiles and, if given, every *.yaml, *.yml and *.json in `extraDir`. */
  static load(options: { extraDir?: string } = {}): ProfileRegistry {
    const byId = new Map<string, Profile>();
    // Ids defined in one directory must be unique; the user directory may replace built-in ids.
    const addAll = (files: readonly string[]): void => {
      const seen = new Set<string>();
      for (const file of files) {
        const profile = loadProfileFile(file);
        if (DISCOVERED_PROFILE_IDS.includes(profile.id)) {
          throw new ProfileError(`${file}: id: "${profile.id}" is reserved for run-time discovery`, {
            file,
            field: 'id',
          });
        }
        if (seen.has(profile.id)) {
          throw new ProfileError(`${file}: id: "${profile.id}" is defined twice`, { file, field: 'id' });
        }
        seen.add(profile.id);
        byId.set(profile.id, profile);
      }
    };
    addAll(profileFiles(BUILTIN_PROFILES_DIR, ['.yaml']));
    if (options.extraDir !== undefined) addAll(profileFiles(options.extraDir, ['.yaml', '.yml', '.json']));
    return new ProfileRegistry(byId);
  }

  /** Whether `id` is found at run time (walkSunSpecChain + buildSunSpecProfile) instead of loaded. */
  isDiscovered(id: string): boolean {
    return DISCOVERED_PROFILE_IDS.includes(id);
  }

  /** Whether `id` names a profile, loaded or discovered. */
  has(id: string): boolean {
    return this.byId.has(id) || this.isDiscovered(id);
  }

  /** Every id a device may name: the loaded profiles and the discovered ones, sorted. */
  ids(): string[] {
    return [...this.byId.keys(), ...DISCOVERED_PROFILE_IDS].sort();
  }

  /** The profile `id`; throws a ProfileError naming the id and the known ids. */
  get(id: string): Profile {
    const profile = this.byId.get(id);
    if (profile !== undefined) return profile;
    if (this.isDiscovered(id)) {
      throw new ProfileError(
        `profile "${id}" is discovered at run time: walk the SunSpec chain to build it`,
        {
          field: 'profile',
        },
      );
    }
    throw new ProfileError(`unknown profile "${id}"; known: ${this.ids().join(', ')}`, { field: 'profile' });
  }

  /** The loaded profiles, sorted by id (discovered ones are not listed). */
  list(): Profile[] {
    return [...this.byId.values()].sort((a, b) => a.id.localeCompare(b.id));
  }
}
