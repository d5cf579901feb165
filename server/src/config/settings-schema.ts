/**
 * The part of the config schema the API may change at run time (harvest, ingest, mqtt), strict so a
 * misspelt key is refused instead of silently ignored.
 */
import { z } from 'zod';
import { ConfigSchema } from './schema.ts';
import { ValidationError } from '../core/errors.ts';
import type { Settings } from './settings.ts';

/** Validates a complete settings object (every section, defaults filled in). */
export const SettingsSchema = z.strictObject({
  harvest: ConfigSchema.shape.harvest.unwrap().strict(),
  ingest: ConfigSchema.shape.ingest.unwrap().strict(),
  mqtt: ConfigSchema.shape.mqtt.unwrap().strict(),
});

/** Parses settings; throws ValidationError naming the first offending field, e.g. "harvest.batchSize". */
export function parseSettings(input: unknown): Settings {
  const result = SettingsSchema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') path.push(issue.keys[0] ?? '');
  const field = path.join('.') || 'settings';
  throw new ValidationError(`settings ${field}: ${issue.message}`, field);
}
