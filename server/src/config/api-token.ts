/**
 * The API token (Bearer) that mutating web API calls require: 32 random bytes, base64url, kept in the
 * data directory as `api-token` (mode 0600), created on first start. EGW_API_TOKEN overrides it.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ConfigError } from '../core/errors.ts';
import { readOrCreateSecretFile } from './secret-file.ts';

/** File name of the token inside the data directory. */
export const API_TOKEN_FILE = 'api-token';

/** Shortest token accepted from EGW_API_TOKEN (the generated one has 43 characters). */
export const MIN_API_TOKEN_LENGTH = 16;

/** Returns the API token: EGW_API_TOKEN when set, else the data directory's token file (created if absent). */
export function loadOrCreateApiToken(
  dataDir: string,
  env: Record<string, string | undefined> = process.env,
): string {
  const override = env.EGW_API_TOKEN;
  if (override !== undefined && override !== '') {
    if (override.length < MIN_API_TOKEN_LENGTH || /\s/.test(override)) {
      throw new ConfigError(
        `EGW_API_TOKEN: expected at least ${MIN_API_TOKEN_LENGTH} characters without spaces, got ${override.length} characters`,
        'EGW_API_TOKEN',
      );
    }
    return override;
  }
  const { value } = readOrCreateSecretFile(join(dataDir, API_TOKEN_FILE), () =>
    randomBytes(32).toString('base64url'),
  );
  return value.toString('utf8').trim();
}
