/** The runtime-adjustable part of the config and the store that persists it. */
import type { Config } from './schema.ts';

/** Runtime-adjustable settings (persisted in SQLite, highest precedence). */
export type Settings = Pick<Config, 'harvest' | 'ingest' | 'mqtt'>;

export interface SettingsStore {
  get(): Settings;
  /** Validates the merged result with the config schema; throws ValidationError naming the field. */
  update(patch: unknown): Promise<Settings>;
  /** Why the stored API settings were ignored at start (undefined when in force or none); for /api/stats. */
  ignoredReason?(): string | undefined;
}
