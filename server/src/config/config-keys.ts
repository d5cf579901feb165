/**
 * Walks the config schema into its leaf keys: path, derived environment variable (EGW_<PATH> in upper
 * snake case), value kind, default and description. The loader maps the environment with it and the
 * reference table in README.md is generated from it, so neither can drift from the schema. The walk
 * reads zod's public JSON Schema output (`z.toJSONSchema`, input side: defaults filled in, keys with
 * one not required), not zod's internals.
 */
import { z } from 'zod';
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
  hasDefault: boolean;
  defaultValue?: unknown;
  optional: boolean;
  description: string;
  /** Checks one value of this key against the whole schema; the first problem's message, or undefined. */
  check(value: unknown): string | undefined;
}

/** The part of a JSON Schema node read here. */
export interface JsonSchemaNode {
  type?: string;
  description?: string;
  default?: unknown;
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
  enum?: unknown[];
  format?: string;
  minimum?: number;
  maximum?: number;
}

const jsonSchemas = new WeakMap<z.ZodType, JsonSchemaNode>();

/** The JSON Schema of a config schema as its input is written (memoised per schema). */
export function configJsonSchema(schema: z.ZodType = ConfigSchema): JsonSchemaNode {
  let node = jsonSchemas.get(schema);
  if (!node) {
    // 'any' for what JSON Schema cannot say (none today): such a key is then plain JSON.
    node = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode;
    jsonSchemas.set(schema, node);
  }
  return node;
}

/** The property names of the object at `path` (e.g. ["http"]), or undefined where there is no object. */
export function objectKeysAt(
  path: readonly string[],
  schema: z.ZodType = ConfigSchema,
): string[] | undefined {
  let node: JsonSchemaNode | undefined = configJsonSchema(schema);
  for (const part of path) node = node?.properties?.[part];
  return node?.properties ? Object.keys(node.properties) : undefined;
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

const isBound = (value: number | undefined): value is number =>
  typeof value === 'number' && Number.isFinite(value) && Math.abs(value) < Number.MAX_SAFE_INTEGER;

/** A short human description of what a leaf accepts. */
export function describeType(node: JsonSchemaNode): { kind: KeyKind; type: string; expected?: string } {
  if (node.enum) {
    const options = node.enum.map(String);
    return {
      kind: 'enum',
      type: options.map((o) => `\`${o}\``).join(' \\| '),
      expected: `one of ${options.join(', ')}`,
    };
  }
  switch (node.type) {
    case 'integer':
    case 'number': {
      const [base, article] = node.type === 'integer' ? ['integer', 'an integer'] : ['number', 'a number'];
      const min = isBound(node.minimum) ? node.minimum : undefined;
      const max = isBound(node.maximum) ? node.maximum : undefined;
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
      return node.format === 'uri'
        ? { kind: 'string', type: 'URL', expected: 'a URL' }
        : { kind: 'string', type: 'string' };
    case 'array':
      return { kind: 'json', type: 'JSON array' };
    default:
      return { kind: 'json', type: 'JSON' };
  }
}

/** The first issue of `value` placed at `path` in an otherwise empty config, or undefined. */
function checkAt(schema: z.ZodType, path: string[], value: unknown): string | undefined {
  const input: Record<string, unknown> = {};
  let node = input;
  for (const part of path.slice(0, -1)) node = node[part] = {};
  node[path[path.length - 1]!] = value;
  const result = schema.safeParse(input);
  if (result.success) return undefined;
  const inside = (issue: z.core.$ZodIssue) => path.every((part, i) => issue.path[i] === part);
  return result.error.issues.find(inside)?.message;
}

function walk(
  schema: z.ZodType,
  node: JsonSchemaNode,
  prefix: string[],
  required: boolean,
  out: ConfigKey[],
): void {
  if (node.type === 'object' && node.properties) {
    for (const [name, child] of Object.entries(node.properties)) {
      walk(schema, child, [...prefix, name], node.required?.includes(name) ?? false, out);
    }
    return;
  }
  const path = prefix.join('.');
  const hasDefault = 'default' in node;
  out.push({
    path,
    envVar: envVarFor(path),
    ...describeType(node),
    hasDefault,
    defaultValue: node.default,
    optional: !required && !hasDefault,
    description: node.description ?? '',
    check: (value) => checkAt(schema, prefix, value),
  });
}

/** Every leaf key of a config schema (default: the gateway's ConfigSchema), in schema order. */
export function configKeys(schema: z.ZodType = ConfigSchema): ConfigKey[] {
  const out: ConfigKey[] = [];
  walk(schema, configJsonSchema(schema), [], true, out);
  return out;
}
