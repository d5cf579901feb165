/**
 * Walks the config schema into its leaf keys: path, derived environment variable (EGW_<PATH> in upper
 * snake case), value kind, default and description. The loader maps the environment with it and the
 * reference table in README.md is generated from it, so neither can drift from the schema.
 */
import type { z } from 'zod';
import { ConfigSchema } from './schema.ts';

/** How a value given as an environment string is turned into the schema's type. */
export type KeyKind = 'number' | 'boolean' | 'string' | 'enum' | 'json';

/** One configurable leaf of the schema. */
export interface ConfigKey {
  /** Dotted path, e.g. "http.port". */
  path: string;
  /** Environment variable that sets it, e.g. "EGW_HTTP_PORT". */
  envVar: string;
  kind: KeyKind;
  /** Human-readable type, e.g. "integer 0–65535", "URL", "`info` | `debug`". */
  type: string;
  /** What a valid value is, for error messages, e.g. "an integer from 0 to 65535"; absent when the schema's own message says it better. */
  expected?: string;
  /** The innermost schema (wrappers such as default/optional removed). */
  schema: z.ZodType;
  hasDefault: boolean;
  defaultValue?: unknown;
  optional: boolean;
  description: string;
}

/** The wrapper types that only add a default, optionality or nullability around an inner schema. */
const WRAPPERS = new Set(['default', 'prefault', 'optional', 'nullable', 'readonly']);

/** Structural view of zod 4 schema internals read here (`def`, `shape`, checks' bounds). */
interface SchemaView {
  type: string;
  description?: string;
  def: { innerType?: z.ZodType; defaultValue?: unknown; element?: z.ZodType };
  shape?: Record<string, z.ZodType>;
  options?: readonly unknown[];
  minValue?: number | null;
  maxValue?: number | null;
  isInt?: boolean;
  format?: string | null;
}

const view = (schema: z.ZodType): SchemaView => schema as unknown as SchemaView;

/** Removes default/optional wrappers, collecting the default, optionality and description on the way. */
export function unwrap(schema: z.ZodType): {
  inner: z.ZodType;
  hasDefault: boolean;
  defaultValue?: unknown;
  optional: boolean;
  description: string;
} {
  let current = schema;
  let hasDefault = false;
  let defaultValue: unknown;
  let optional = false;
  let description = view(current).description ?? '';
  while (WRAPPERS.has(view(current).type) && view(current).def.innerType) {
    const v = view(current);
    if (v.type === 'default' && !hasDefault) {
      hasDefault = true;
      defaultValue = v.def.defaultValue;
    }
    if (v.type === 'optional' || v.type === 'nullable') optional = true;
    current = v.def.innerType!;
    description ||= view(current).description ?? '';
  }
  return { inner: current, hasDefault, defaultValue, optional, description };
}

/** "bodyLimitBytes" → "BODY_LIMIT_BYTES". */
export function upperSnake(segment: string): string {
  return segment
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase();
}

/** The environment variable for a dotted config path. */
export function envVarFor(path: string): string {
  return `EGW_${path.split('.').map(upperSnake).join('_')}`;
}

const isBound = (value: number | null | undefined): value is number =>
  typeof value === 'number' && Number.isFinite(value) && Math.abs(value) < Number.MAX_SAFE_INTEGER;

/** A short human description of what a leaf schema accepts. */
export function describeType(inner: z.ZodType): { kind: KeyKind; type: string; expected?: string } {
  const v = view(inner);
  switch (v.type) {
    case 'number': {
      const [base, article] = v.isInt ? ['integer', 'an integer'] : ['number', 'a number'];
      const min = isBound(v.minValue) ? v.minValue : undefined;
      const max = isBound(v.maxValue) ? v.maxValue : undefined;
      if (min !== undefined && max !== undefined) {
        return {
          kind: 'number',
          type: `${base} ${min}–${max}`,
          expected: `${article} from ${min} to ${max}`,
        };
      }
      if (min !== undefined)
        return { kind: 'number', type: `${base} ≥ ${min}`, expected: `${article} ≥ ${min}` };
      if (max !== undefined)
        return { kind: 'number', type: `${base} ≤ ${max}`, expected: `${article} ≤ ${max}` };
      return { kind: 'number', type: base, expected: article };
    }
    case 'boolean':
      return { kind: 'boolean', type: 'boolean', expected: 'true or false' };
    case 'string':
      return v.format === 'url'
        ? { kind: 'string', type: 'URL', expected: 'a URL' }
        : { kind: 'string', type: 'string' };
    case 'enum': {
      const options = (v.options ?? []).map(String);
      return {
        kind: 'enum',
        type: options.map((o) => `\`${o}\``).join(' \\| '),
        expected: `one of ${options.join(', ')}`,
      };
    }
    case 'array':
      return { kind: 'json', type: 'JSON array' };
    default:
      return { kind: 'json', type: 'JSON' };
  }
}

function walk(schema: z.ZodType, prefix: string[], out: ConfigKey[]): void {
  const unwrapped = unwrap(schema);
  const shape = view(unwrapped.inner).shape;
  if (view(unwrapped.inner).type === 'object' && shape) {
    for (const [name, child] of Object.entries(shape)) walk(child, [...prefix, name], out);
    return;
  }
  const path = prefix.join('.');
  const { kind, type, expected } = describeType(unwrapped.inner);
  out.push({
    path,
    envVar: envVarFor(path),
    kind,
    type,
    expected,
    schema: unwrapped.inner,
    hasDefault: unwrapped.hasDefault,
    defaultValue: unwrapped.defaultValue,
    optional: unwrapped.optional,
    description: unwrapped.description,
  });
}

/** Every leaf key of a config schema (default: the gateway's ConfigSchema), in schema order. */
export function configKeys(schema: z.ZodType = ConfigSchema): ConfigKey[] {
  const out: ConfigKey[] = [];
  walk(schema, [], out);
  return out;
}
