/**
 * The one device-id policy: what a device id may be (config file, API, BLE route allow-list) and how a
 * missing one is made. Ids appear in MQTT topics, URLs and Home Assistant node ids, hence the narrow set.
 */

/** Letters, digits, "-" and "_", starting with a letter or digit, at most 32 (regex source, no anchors). */
export const DEVICE_ID_PATTERN = '[A-Za-z0-9][A-Za-z0-9_-]{0,31}';

/** A whole device id. */
export const DEVICE_ID = new RegExp(`^${DEVICE_ID_PATTERN}$`);

/** The rule in words, for schema descriptions and messages. */
export const DEVICE_ID_RULE = 'letters, digits, "-" and "_", starting with a letter or digit, at most 32';

/** Longest stem of a generated id: leaves room for "-" and a 7-digit counter. */
const MAX_STEM = 24;

/**
 * The first free `<stem>-<n>` (n = 1, 2, …), e.g. "sunspec-1". The stem is cut to what the rule allows;
 * "device" when nothing is left of it.
 */
export function freeDeviceId(stem: string, taken: (id: string) => boolean): string {
  const clean =
    stem
      .replace(/[^A-Za-z0-9_-]/g, '')
      .replace(/^[_-]+/, '')
      .slice(0, MAX_STEM) || 'device';
  for (let n = 1; ; n++) if (!taken(`${clean}-${n}`)) return `${clean}-${n}`;
}
