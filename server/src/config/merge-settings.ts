/** Deep merge of settings overlays: objects merge key by key, `null` removes a value, the rest replaces. */

/** A partial, nested settings change as the API sends it. */
export type SettingsPatch = { [key: string]: unknown };

function isPlainObject(value: unknown): value is SettingsPatch {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Merges `patch` over `base` without mutating either.
 * @param keepNulls keep `null` markers in the result (for an overlay that must remember removals);
 *   otherwise a `null` deletes the key.
 */
export function mergeSettings(
  base: object,
  patch: SettingsPatch,
  keepNulls = false,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      if (keepNulls) out[key] = null;
      else delete out[key];
    } else if (isPlainObject(value) && isPlainObject(out[key])) {
      out[key] = mergeSettings(out[key] as object, value, keepNulls);
    } else if (isPlainObject(value)) {
      out[key] = mergeSettings({}, value, keepNulls);
    } else {
      out[key] = value;
    }
  }
  return out;
}
