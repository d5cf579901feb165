/**
 * The gateway's shared secrets kept in the data directory — the API token and the BLE provisioning
 * PIN — each overridable from the environment. One rule for both: the variable wins when set, else
 * the file, created atomically with mode 0600 (secret-file.ts) on first use; a value that breaks the
 * secret's rule is a ConfigError naming the variable or file.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../core/errors.ts';
import { readOrCreateSecretFile, readSecretFile } from './secret-file.ts';

/** One secret: where it lives, what overrides it, what a valid one is and how a new one is made. */
export interface SecretSpec {
  /** File name inside the data directory. */
  file: string;
  /** Environment variable that overrides the file. */
  env: string;
  /** The rule, for error messages: "exactly 6 digits". */
  rule: string;
  valid(value: string): boolean;
  generate(): string;
}

/**
 * The web API's Unix socket in the data directory (mode 0600): local services (egw-ble) call the API
 * through it, so the failed-auth limiter counts them apart from loopback TCP clients.
 */
export const API_SOCKET_FILE = 'api.sock';

/** Shortest API token accepted (the generated one has 43 characters). */
export const MIN_API_TOKEN_LENGTH = 16;

/** The Bearer token of mutating web API calls: 32 random bytes, base64url. */
export const API_TOKEN: SecretSpec = {
  file: 'api-token',
  env: 'EGW_API_TOKEN',
  rule: `at least ${MIN_API_TOKEN_LENGTH} characters without spaces`,
  valid: (value) => value.length >= MIN_API_TOKEN_LENGTH && !/\s/.test(value),
  generate: () => randomBytes(32).toString('base64url'),
};

/** The 6-digit provisioning PIN, shown by `egw-ble pin` / `egw token --pin` and on the box's label. */
export const BLE_PIN: SecretSpec = {
  file: 'ble-pin',
  env: 'EGW_BLE_PIN',
  rule: 'exactly 6 digits',
  valid: (value) => /^\d{6}$/.test(value),
  generate: () => `${String(randomInt(0, 1_000_000)).padStart(6, '0')}\n`,
};

type Env = Record<string, string | undefined>;

function checked(spec: SecretSpec, value: string, where: string): string {
  if (!spec.valid(value)) {
    throw new ConfigError(`${where}: expected ${spec.rule}, got ${value.length} characters`, where);
  }
  return value;
}

/** The secret: its variable when set, else its file in dataDir, created on first use. */
export function loadOrCreateSecret(spec: SecretSpec, dataDir: string, env: Env = process.env): string {
  const override = env[spec.env];
  if (override !== undefined && override !== '') return checked(spec, override, spec.env);
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, spec.file);
  return checked(spec, readOrCreateSecretFile(path, spec.generate).value.toString('utf8').trim(), path);
}

/**
 * The secret as another process sees it (egw-ble reading the gateway's token): the variable, else the
 * file; undefined while neither exists. Never creates the file, never judges the value (the gateway
 * that created it does).
 */
export function readSecret(spec: SecretSpec, dataDir: string, env: Env = process.env): string | undefined {
  const override = env[spec.env];
  if (override) return override;
  return readSecretFile(join(dataDir, spec.file))?.value.toString('utf8').trim() || undefined;
}

/** The API token (EGW_API_TOKEN or `<dataDir>/api-token`). */
export function loadOrCreateApiToken(dataDir: string, env: Env = process.env): string {
  return loadOrCreateSecret(API_TOKEN, dataDir, env);
}

/** The BLE PIN (EGW_BLE_PIN or `<dataDir>/ble-pin`). */
export function loadOrCreateBlePin(dataDir: string, env: Env = process.env): string {
  return loadOrCreateSecret(BLE_PIN, dataDir, env);
}
