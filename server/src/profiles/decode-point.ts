/**
 * Decodes one profile point from raw register blocks: type, word order, gain, scale factor, offset
 * and "not implemented" sentinels. Pure; a point that cannot be decoded yields `undefined` (absent).
 */
import type { Point, Profile } from './profile-schema.ts';
import {
  pointWords,
  sentinelsOf,
  unsignedToValue,
  wireAddress,
  wordsToFloat,
  wordsToText,
  wordsToUnsigned,
} from './register-codec.ts';

/** Registers as read from the device: function code, first wire address, the 16-bit values. */
export type RawBlock = { function: 3 | 4; start: number /* wire address */; registers: number[] };

/** Scale factors beyond ±10 are garbage, not physics. */
const MAX_SF = 10;

/** The words at [start, start+count) from a block of the same function, or undefined. */
export function findWords(
  blocks: readonly RawBlock[],
  fn: 3 | 4,
  start: number,
  count: number,
): number[] | undefined {
  for (const block of blocks) {
    if (block.function !== fn) continue;
    const from = start - block.start;
    if (from >= 0 && from + count <= block.registers.length) return block.registers.slice(from, from + count);
  }
  return undefined;
}

/** The power-of-ten exponent of a point's scale-factor register; undefined if absent or not implemented. */
export function readScaleFactor(
  profile: Profile,
  point: Point,
  blocks: readonly RawBlock[],
): number | undefined {
  if (point.sf === undefined) return 0;
  const words = findWords(blocks, point.function, wireAddress(profile, point.sf), 1);
  if (words === undefined || words[0] === 0x8000) return undefined;
  const sf = unsignedToValue('sunssf', BigInt(words[0] ?? 0), 1);
  return Math.abs(sf) > MAX_SF ? undefined : sf;
}

/** Decimal places a step (gain · 10^sf) resolves; float noise beyond them is rounded away. */
export function roundToStep(value: number, step: number): number {
  const exponent = Math.log10(Math.abs(step));
  if (Number.isInteger(exponent) || Math.abs(exponent - Math.round(exponent)) < 1e-9) {
    const decimals = Math.max(0, -Math.round(exponent));
    return Math.abs(value) < 1e21 ? Number(value.toFixed(Math.min(decimals, 20))) : value;
  }
  return Number(value.toPrecision(12));
}

/** The shortest decimal that is the same float32 (230.1, not 230.10000610351562 from the widening to double). */
export function shortestFloat32(float: number): number {
  for (let digits = 1; digits < 9; digits++) {
    const candidate = Number(float.toPrecision(digits));
    if (Math.fround(candidate) === float) return candidate;
  }
  return float;
}

function isSentinel(point: Point, raw: bigint, signed: number): boolean {
  return sentinelsOf(point).some((s) => s === signed || s === Number(raw));
}

/** The raw integer value of a point (after sentinels, before scaling), or undefined. */
export function decodeRawInteger(
  profile: Profile,
  point: Point,
  blocks: readonly RawBlock[],
): number | undefined {
  const words = findWords(blocks, point.function, wireAddress(profile, point.address), pointWords(point));
  if (words === undefined || point.type === 'str' || point.type === 'f32') return undefined;
  const raw = wordsToUnsigned(words, point.words);
  const value = unsignedToValue(point.type, raw, words.length);
  return isSentinel(point, raw, value) ? undefined : value;
}

/** A numeric point in SI units (gain, scale factor and offset applied), or undefined when absent. */
export function decodeNumber(
  profile: Profile,
  point: Point,
  blocks: readonly RawBlock[],
): number | undefined {
  if (point.type === 'f32') {
    const words = findWords(blocks, point.function, wireAddress(profile, point.address), 2);
    if (words === undefined) return undefined;
    const raw = wordsToUnsigned(words, point.words);
    const float = wordsToFloat(words, point.words);
    if (!Number.isFinite(float) || isSentinel(point, raw, float)) return undefined;
    const value = shortestFloat32(float) * point.gain + point.offset;
    return Number(value.toPrecision(12));
  }
  const raw = decodeRawInteger(profile, point, blocks);
  const sf = readScaleFactor(profile, point, blocks);
  if (raw === undefined || sf === undefined) return undefined;
  const step = point.gain * 10 ** sf;
  return roundToStep(raw * step + point.offset, step === 0 ? 1 : step);
}

/** A text point (`str`, or a number shown as text such as a numeric serial), or undefined. */
export function decodeText(profile: Profile, point: Point, blocks: readonly RawBlock[]): string | undefined {
  if (point.type !== 'str') {
    const value = decodeNumber(profile, point, blocks);
    return value === undefined ? undefined : String(value);
  }
  const words = findWords(blocks, point.function, wireAddress(profile, point.address), pointWords(point));
  if (words === undefined || words.every((w) => w === 0) || words.every((w) => w === 0xffff))
    return undefined;
  const text = wordsToText(words);
  return text === '' ? undefined : text;
}
