/**
 * The decoder's inverse, for the simulator: a canonical reading + a profile → a register image.
 * Scale factors are chosen as real SunSpec devices do (the finest that fits, so they change with
 * power); absent fields become the point's "not implemented" sentinel. decode(encode(x)) ≈ x within
 * each register's resolution.
 */
import { ProfileError } from '../core/errors.ts';
import { TEXT_FIELDS } from '../core/reading.ts';
import type { DecodedReading } from './decode.ts';
import { solveComputed } from './computed-fields.ts';
import type { Point, Profile } from './profile-schema.ts';
import {
  floatToWords,
  pointWords,
  sentinelsOf,
  textToWords,
  unsignedToWords,
  valueToUnsigned,
  wireAddress,
} from './register-codec.ts';

/** Register values by wire address (each a u16), per Modbus table. */
export type RegisterImage = { holding: Map<number, number>; input: Map<number, number> };

/** `sf`: 'auto' (default) or a fixed scale factor per canonical field (applies to its sf register). */
export interface EncodeOptions {
  sf?: 'auto' | Record<string, number>;
}

/** Finest scale factor tried; real devices rarely go below milli-units. */
const SF_MIN = -3;
const SF_MAX = 10;
const TEXT: ReadonlySet<string> = new Set(TEXT_FIELDS);

/** An empty image. */
export function emptyImage(): RegisterImage {
  return { holding: new Map(), input: new Map() };
}

/** Writes words at a wire address into the function's table. */
export function writeWords(image: RegisterImage, fn: 3 | 4, start: number, words: readonly number[]): void {
  const table = fn === 3 ? image.holding : image.input;
  words.forEach((word, i) => table.set(start + i, word & 0xffff));
}

/** The raw integer for a value at a scale factor, or undefined when it does not fit or hits a sentinel. */
function toRaw(point: Point, value: number, sf: number, wrap = true): bigint | undefined {
  const scaled = Math.round((value - point.offset) / (point.gain * 10 ** sf));
  const words = pointWords(point);
  // Accumulators roll over on real devices; the simulator does the same (never when choosing a scale factor).
  const wrapped = wrap && point.type === 'acc32' ? ((scaled % 2 ** 32) + 2 ** 32) % 2 ** 32 : scaled;
  try {
    const raw = valueToUnsigned(point.type, wrapped, words);
    const hits = sentinelsOf(point).some((s) => s === Number(raw) || s === wrapped);
    return hits ? undefined : raw;
  } catch {
    return undefined;
  }
}

function numericValue(values: DecodedReading, field: string): number | undefined {
  const value = (values as Record<string, unknown>)[field];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Picks one scale factor for every point sharing an sf register. */
function chooseScaleFactors(
  profile: Profile,
  values: DecodedReading,
  options: EncodeOptions,
): Map<string, { sf: number; fn: 3 | 4; wire: number }> {
  const groups = new Map<string, [string, Point][]>();
  // Terms count too: a scale factor used only by terms must still be written.
  for (const [field, point] of [...Object.entries(profile.points), ...Object.entries(profile.terms)]) {
    if (point?.sf === undefined) continue;
    const key = `${point.function}:${wireAddress(profile, point.sf)}`;
    groups.set(key, [...(groups.get(key) ?? []), [field, point]]);
  }
  const chosen = new Map<string, { sf: number; fn: 3 | 4; wire: number }>();
  for (const [key, members] of groups) {
    const [, first] = members[0] as [string, Point];
    const fixed =
      typeof options.sf === 'object' ? members.map(([f]) => (options.sf as Record<string, number>)[f]) : [];
    let sf = fixed.find((s) => s !== undefined);
    for (let candidate = SF_MIN; sf === undefined && candidate <= SF_MAX; candidate++) {
      const fits = members.every(([field, point]) => {
        const value = numericValue(values, field);
        return value === undefined || toRaw(point, value, candidate, false) !== undefined;
      });
      if (fits) sf = candidate;
    }
    if (sf === undefined)
      throw new ProfileError(`${profile.id}: no scale factor fits the values of ${key}`, {});
    chosen.set(key, { sf, fn: first.function, wire: wireAddress(profile, first.sf ?? 0) });
  }
  return chosen;
}

/** The words of an absent field: its first sentinel, NaN for floats, zeros for text; undefined if none. */
function absentWords(point: Point): number[] | undefined {
  if (point.type === 'f32') return floatToWords(Number.NaN, point.words);
  if (point.type === 'str') return new Array<number>(pointWords(point)).fill(0);
  const sentinel = sentinelsOf(point)[0];
  if (sentinel === undefined) return undefined;
  const words = pointWords(point);
  const raw =
    sentinel < 0
      ? valueToUnsigned(point.type, sentinel, words)
      : BigInt(sentinel) % (1n << BigInt(16 * words));
  return unsignedToWords(sentinel === 2 ** 64 ? (1n << 64n) - 1n : raw, words, point.words);
}

function statusRaw(profile: Profile, field: string, point: Point, status: string): number {
  const entry = Object.entries(point.map ?? {}).find(([, s]) => s === status);
  if (entry === undefined && status === 'unknown') {
    // Any code the map does not list decodes as "unknown".
    const listed = new Set(Object.keys(point.map ?? {}).map(Number));
    const sentinels = sentinelsOf(point);
    let code = 0;
    while (listed.has(code) || sentinels.includes(code)) code++;
    return code;
  }
  if (entry === undefined) {
    throw new ProfileError(`${profile.id}: points.${field}.map has no code for status "${status}"`, {
      field,
    });
  }
  return Number(entry[0]);
}

function valueWords(
  profile: Profile,
  field: string,
  point: Point,
  value: string | number,
  sf: number,
): number[] {
  const words = pointWords(point);
  if (point.type === 'str') return textToWords(String(value), words);
  const numeric = field === 'status' ? statusRaw(profile, field, point, String(value)) : Number(value);
  if (point.type === 'f32') return floatToWords((numeric - point.offset) / point.gain, point.words);
  const raw = field === 'status' ? valueToUnsigned(point.type, numeric, words) : toRaw(point, numeric, sf);
  if (raw === undefined) {
    throw new ProfileError(
      `${profile.id}: points.${field}: ${value} does not fit ${point.type} at sf ${sf} (or hits a not-implemented value)`,
      {
        field,
      },
    );
  }
  return unsignedToWords(raw, words, point.words);
}

/**
 * Computed fields turned back into their operands: canonical operands the values lack are added to
 * the values, terms are returned by name (what the device would hold so the gateway computes `values`).
 */
function solveAllComputed(
  profile: Profile,
  values: DecodedReading,
): { values: DecodedReading; terms: Map<string, number> } {
  const merged: Record<string, unknown> = { ...values };
  const terms = new Map<string, number>();
  for (const [field, rule] of Object.entries(profile.computed)) {
    const value = numericValue(values, field);
    if (rule === undefined || value === undefined) continue;
    const known = (name: string): number | undefined =>
      terms.get(name) ?? (name in profile.terms ? undefined : numericValue(merged as DecodedReading, name));
    const scaleOf = (name: string): { step: number; maxRaw: number } | undefined => {
      const point = profile.terms[name];
      if (point === undefined || point.sf !== undefined || point.type === 'f32') return undefined;
      return { step: Math.abs(point.gain), maxRaw: 2 ** (16 * pointWords(point)) - 1 };
    };
    for (const [name, operand] of solveComputed(rule, value, known, scaleOf)) {
      if (name in profile.terms) terms.set(name, operand);
      else if (merged[name] === undefined) merged[name] = operand;
    }
  }
  return { values: merged as DecodedReading, terms };
}

/** Writes only the profile's points and scale factors for `values` into `image` (other registers untouched). */
export function encodePoints(
  profile: Profile,
  given: DecodedReading,
  options: EncodeOptions = {},
  image: RegisterImage = emptyImage(),
): RegisterImage {
  const { values, terms } = solveAllComputed(profile, given);
  const scaleFactors = chooseScaleFactors(
    profile,
    { ...values, ...Object.fromEntries(terms) } as DecodedReading,
    options,
  );
  for (const [name, point] of Object.entries(profile.terms)) {
    const value = terms.get(name);
    // A term sharing a point's scale-factor register is written at that scale factor.
    const sf =
      point.sf === undefined
        ? 0
        : (scaleFactors.get(`${point.function}:${wireAddress(profile, point.sf)}`)?.sf ?? 0);
    const words = value === undefined ? absentWords(point) : valueWords(profile, name, point, value, sf);
    if (words !== undefined) writeWords(image, point.function, wireAddress(profile, point.address), words);
  }
  for (const { sf, fn, wire } of scaleFactors.values()) {
    writeWords(image, fn, wire, unsignedToWords(valueToUnsigned('sunssf', sf, 1), 1, 'high-first'));
  }
  for (const [field, point] of Object.entries(profile.points)) {
    if (point === undefined) continue;
    const value = (values as Record<string, unknown>)[field];
    const sfKey = point.sf === undefined ? '' : `${point.function}:${wireAddress(profile, point.sf)}`;
    const sf = scaleFactors.get(sfKey)?.sf ?? 0;
    const present =
      TEXT.has(field) || field === 'status'
        ? typeof value === 'string' && value !== ''
        : numericValue(values, field) !== undefined;
    const words = present
      ? valueWords(profile, field, point, value as string | number, sf)
      : absentWords(point);
    if (words !== undefined) writeWords(image, point.function, wireAddress(profile, point.address), words);
  }
  return image;
}

/**
 * Encodes `values` into the registers of `profile`'s blocks: every block register is present (0 unless
 * a point writes it), absent fields hold their sentinel. Throws a ProfileError when a value cannot be
 * expressed (out of range at a fixed gain, a status the profile's map lacks).
 */
export function encodeReading(
  profile: Profile,
  values: DecodedReading,
  options: EncodeOptions = {},
): RegisterImage {
  const image = emptyImage();
  for (const range of profile.documentedRanges) {
    const count = Math.min(range.count, 65536 - wireAddress(profile, range.start));
    writeWords(
      image,
      range.function,
      wireAddress(profile, range.start),
      new Array<number>(count).fill(range.fill),
    );
  }
  for (const block of profile.blocks) {
    writeWords(
      image,
      block.function,
      wireAddress(profile, block.start),
      new Array<number>(block.count).fill(0),
    );
  }
  for (const fixed of profile.fixedRegisters) {
    writeWords(image, fixed.function, wireAddress(profile, fixed.address), fixed.words);
  }
  return encodePoints(profile, values, options, image);
}
