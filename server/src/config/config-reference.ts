/**
 * Generates the configuration reference (a Markdown table of every key: path, environment variable,
 * type, default, description) from the schema. README.md carries it between the markers below;
 * `npm run docs:config` rewrites it and a test fails when README and schema disagree.
 */
import { EgwError } from '../core/errors.ts';
import { configKeys, type ConfigKey } from './config-keys.ts';

/** Markers around the generated table in README.md. */
export const REFERENCE_START = '<!-- config-reference:start -->';
export const REFERENCE_END = '<!-- config-reference:end -->';

const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

function defaultText(key: ConfigKey): string {
  if (!key.hasDefault) return key.optional ? '—' : 'required';
  return `\`${JSON.stringify(key.defaultValue)}\``;
}

/** The reference table, one row per config key, in schema order. */
export function configReference(): string {
  const rows = configKeys().map((key) =>
    [
      `\`${key.path}\``,
      `\`${key.envVar}\``,
      key.type, // already escaped for tables (enum alternatives)
      cell(defaultText(key)),
      cell(key.description),
    ].join(' | '),
  );
  return [
    '| key | environment | type | default | description |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r} |`),
  ].join('\n');
}

/** Returns text with the part between the reference markers replaced by the current table. */
export function replaceReference(text: string): string {
  const start = text.indexOf(REFERENCE_START);
  const end = text.indexOf(REFERENCE_END);
  if (start < 0 || end < start) {
    throw new EgwError(
      'reference_markers_missing',
      `markers ${REFERENCE_START} … ${REFERENCE_END} not found`,
    );
  }
  return `${text.slice(0, start + REFERENCE_START.length)}\n${configReference()}\n${text.slice(end)}`;
}
