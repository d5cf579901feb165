/**
 * The one generic decoder: raw register blocks + a profile → the canonical reading (SI units, absent
 * fields omitted, never zero for "unknown"). Pure: no I/O, no clock.
 */
import { DEVICE_STATUSES, TEXT_FIELDS, type DeviceStatus, type Reading } from '../core/reading.ts';
import { evaluateComputed } from './computed-fields.ts';
import type { Point, Profile } from './profile-schema.ts';
import { decodeNumber, decodeRawInteger, decodeText, type RawBlock } from './decode-point.ts';

export type { RawBlock } from './decode-point.ts';

/** The canonical fields of a reading: what a profile decodes (identity, measurements, status). */
export type DecodedReading = Omit<Reading, 'device' | 'profile' | 'ts' | 'read_ms'>;

const TEXT: ReadonlySet<string> = new Set(TEXT_FIELDS);
const STATUSES: ReadonlySet<string> = new Set(DEVICE_STATUSES);

/** A status map's keys as numbers ("0x0200" and "512" both work in profile files). */
const statusMaps = new WeakMap<Point, Map<number, DeviceStatus>>();
export function statusMapOf(point: Point): Map<number, DeviceStatus> {
  let map = statusMaps.get(point);
  if (map === undefined) {
    map = new Map(Object.entries(point.map ?? {}).map(([code, status]) => [Number(code), status]));
    statusMaps.set(point, map);
  }
  return map;
}

function decodeStatus(profile: Profile, point: Point, blocks: readonly RawBlock[]): DeviceStatus | undefined {
  const raw = decodeRawInteger(profile, point, blocks);
  if (raw === undefined) return undefined;
  return statusMapOf(point).get(raw) ?? 'unknown';
}

/** Decodes every point of `profile` found in `blocks`; points whose block is missing stay absent. */
export function decodeReading(profile: Profile, blocks: readonly RawBlock[]): DecodedReading {
  const out: Record<string, string | number> = {};
  for (const [field, point] of Object.entries(profile.points)) {
    if (point === undefined) continue;
    const value =
      field === 'status'
        ? decodeStatus(profile, point, blocks)
        : TEXT.has(field)
          ? decodeText(profile, point, blocks)
          : decodeNumber(profile, point, blocks);
    if (value !== undefined) out[field] = value;
  }
  decodeComputed(profile, blocks, out);
  for (const [field, value] of Object.entries(profile.constants)) {
    if (out[field] === undefined) out[field] = value;
  }
  if (out.make === undefined) out.make = profile.make;
  if (typeof out.status === 'string' && !STATUSES.has(out.status)) out.status = 'unknown';
  return out as DecodedReading;
}

/** Adds the profile's computed fields, from its points (already in `out`) and its terms. */
function decodeComputed(
  profile: Profile,
  blocks: readonly RawBlock[],
  out: Record<string, string | number>,
): void {
  const computed = Object.entries(profile.computed);
  if (computed.length === 0) return;
  const terms = new Map<string, number | undefined>();
  for (const [name, point] of Object.entries(profile.terms))
    terms.set(name, decodeNumber(profile, point, blocks));
  const valueOf = (name: string): number | undefined => {
    if (terms.has(name)) return terms.get(name);
    const value = out[name];
    return typeof value === 'number' ? value : undefined;
  };
  for (const [field, rule] of computed) {
    const value = rule === undefined ? undefined : evaluateComputed(rule, valueOf);
    if (value !== undefined) out[field] = value;
  }
}

/** The grid frequency (Hz) from the profile's 10 Hz block, or undefined when absent or not implemented. */
export function decodeFrequency(profile: Profile, block: RawBlock): number | undefined {
  const point = profile.points.grid_frequency_hz;
  return point === undefined ? undefined : decodeNumber(profile, point, [block]);
}
