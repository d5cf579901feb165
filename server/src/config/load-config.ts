/**
 * Loads the configuration: schema defaults < `--config FILE` (JSON) < EGW_* environment variables.
 * Environment names are derived from the schema (config-keys.ts); numbers and booleans are coerced,
 * arrays and objects are JSON. Any invalid value throws a ConfigError naming the key, the rule, the
 * value and where it came from.
 */
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { ConfigError } from '../core/errors.ts';
import { configKeys, objectKeysAt, type ConfigKey } from './config-keys.ts';
import { redactSecrets } from './redact-secrets.ts';
import { ConfigSchema, DeviceConfigSchema, type Config } from './schema.ts';

export interface LoadConfigOptions {
  /** Path of a JSON config file (`--config FILE`). */
  file?: string;
  /** Environment to read EGW_* variables from (default process.env). */
  env?: Record<string, string | undefined>;
}

type Json = Record<string, unknown>;

/** Loads and validates the configuration; throws ConfigError on the first unusable value. */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const keys = configKeys();
  /** Where each dotted path's value came from, for error messages. */
  const sources = new Map<string, string>();
  let input: Json = {};
  if (options.file) {
    input = readConfigFile(options.file);
    checkUnknownKeys(input, [], options.file);
    for (const key of keys) sources.set(key.path, `config file ${options.file}`);
  }
  for (const key of keys) {
    const raw = env[key.envVar];
    if (raw === undefined || raw === '') continue;
    setPath(input, key.path, coerce(key, raw));
    sources.set(key.path, key.envVar);
  }
  const result = ConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues;
  const messages = issues.map((issue) => describeIssue(issue, input, keys, sources));
  const first = pathString(issues[0]!.path);
  const more = messages.length > 1 ? `; ${messages.slice(1).join('; ')}` : '';
  throw new ConfigError(`${messages[0]}${more}`, first);
}

function readConfigFile(file: string): Json {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ConfigError(`config file ${file}: cannot be read (${reason})`, 'config', error);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(
      `config file ${file}: not valid JSON (${(error as Error).message})`,
      'config',
      error,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${file}: expected a JSON object at the top level`, 'config');
  }
  return parsed as Json;
}

/** A misspelt key would silently fall back to its default; refuse it instead. */
function checkUnknownKeys(value: Json, prefix: string[], file: string): void {
  const keys = objectKeysAt(prefix);
  if (!keys) return;
  for (const [name, child] of Object.entries(value)) {
    if (prefix.length === 0 && name === '$schema') continue;
    const path = [...prefix, name];
    if (!keys.includes(name)) {
      const known = keys.join(', ');
      throw new ConfigError(
        `config file ${file}: unknown key "${path.join('.')}" (known here: ${known})`,
        path.join('.'),
      );
    }
    if (typeof child === 'object' && child !== null && !Array.isArray(child)) {
      checkUnknownKeys(child as Json, path, file);
    }
    if (prefix.length === 0 && name === 'devices' && Array.isArray(child)) checkDeviceKeys(child, file);
  }
}

/** The same inside `devices[]`: a typo such as "prot" would otherwise be dropped and 502 used. */
function checkDeviceKeys(devices: unknown[], file: string): void {
  devices.forEach((device, i) => {
    if (typeof device !== 'object' || device === null || Array.isArray(device)) return;
    const type = (device as Json).type;
    const option = DeviceConfigSchema.options.find((o) => o.shape.type.value === type);
    if (!option) return; // an unknown type is the schema's to name
    const known = Object.keys(option.shape);
    const unknown = Object.keys(device).find((key) => !known.includes(key));
    if (unknown !== undefined) {
      throw new ConfigError(
        `config file ${file}: unknown key "devices[${i}].${unknown}" for a ${String(type)} device ` +
          `(known here: ${known.join(', ')})`,
        `devices[${i}].${unknown}`,
      );
    }
  });
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);
const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Turns an environment string into the key's type; unconvertible text is left for the schema to reject. */
function coerce(key: ConfigKey, raw: string): unknown {
  const text = raw.trim();
  switch (key.kind) {
    case 'number':
      return NUMBER_RE.test(text) ? Number(text) : raw;
    case 'boolean':
      if (TRUE_WORDS.has(text.toLowerCase())) return true;
      if (FALSE_WORDS.has(text.toLowerCase())) return false;
      return raw;
    case 'json':
      try {
        return JSON.parse(text);
      } catch (error) {
        throw new ConfigError(
          `${key.path}: expected JSON (${key.type}), got ${JSON.stringify(raw)} (from ${key.envVar})`,
          key.path,
          error,
        );
      }
    default:
      return raw;
  }
}

function setPath(target: Json, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[part] = {};
    node = node[part] as Json;
  }
  node[parts[parts.length - 1]!] = value;
}

function getPath(source: unknown, path: readonly PropertyKey[]): unknown {
  let node = source;
  for (const part of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[part];
  }
  return node;
}

/** ["devices", 0, "port"] → "devices[0].port". */
function pathString(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, part) => {
    if (typeof part === 'number') return `${acc}[${part}]`;
    return acc ? `${acc}.${String(part)}` : String(part);
  }, '');
}

function describeIssue(
  issue: z.core.$ZodIssue,
  input: Json,
  keys: ConfigKey[],
  sources: Map<string, string>,
): string {
  const where = pathString(issue.path);
  const dotted = issue.path.filter((p) => typeof p === 'string').join('.');
  // Issues inside arrays (devices[0].port) belong to the array's key.
  const key = keys.find((k) => k.path === dotted && !issue.path.some((p) => typeof p === 'number'));
  const owner = keys.find((k) => dotted === k.path || dotted.startsWith(`${k.path}.`));
  const source = sources.get(owner?.path ?? dotted) ?? 'defaults';
  const value = getPath(input, issue.path);
  // A URL with a password (mqtt://user:pass@host) must not reach the log or the terminal.
  const got = value === undefined ? 'nothing' : JSON.stringify(redactSecrets(value));
  const fallback = `${issue.message.charAt(0).toLowerCase()}${issue.message.slice(1)}`;
  return `${where || 'config'}: ${key?.expected ? `expected ${key.expected}` : fallback}, got ${got} (from ${source})`;
}
