/**
 * Register-level primitives shared by the decoder (gateway) and the encoder (simulator): word order,
 * integer and float types, ASCII strings, "not implemented" sentinels and wire addresses.
 */
import { TYPE_WORDS, type Point, type Profile, type RegisterType } from './profile-schema.ts';

/** Registers a point occupies (its `size` for strings). */
export function pointWords(point: Pick<Point, 'type' | 'size'>): number {
  if (point.type === 'str') return point.size ?? 1;
  return TYPE_WORDS[point.type];
}

/** Wire (protocol) address of a register numbered as in the profile's document. */
export function wireAddress(profile: Pick<Profile, 'transport'>, address: number): number {
  return address - profile.transport.addressing;
}

/** SunSpec "not implemented" values by type; strings of zeros and f32 NaN are handled separately. */
const SUNSPEC_SENTINELS: Readonly<Record<RegisterType, readonly number[]>> = {
  u16: [0xffff],
  s16: [0x8000],
  sunssf: [0x8000],
  u32: [0xffffffff],
  s32: [0x80000000],
  // SunSpec says an acc32 of 0 means "not accumulated", but 0 is also a real meter count: opt in per point.
  acc32: [],
  f32: [],
  u64: [2 ** 64],
  s64: [2 ** 63],
  str: [],
};

/** The sentinels that apply to a point: its own list, else the SunSpec values for its type. */
export function sentinelsOf(point: Pick<Point, 'type' | 'notImplemented'>): readonly number[] {
  return point.notImplemented ?? SUNSPEC_SENTINELS[point.type];
}

/** Puts words into value order (most significant first). */
function ordered(words: readonly number[], order: Point['words']): readonly number[] {
  return order === 'low-first' ? [...words].reverse() : words;
}

/** The unsigned integer held by the words (BigInt so 64-bit values stay exact). */
export function wordsToUnsigned(words: readonly number[], order: Point['words']): bigint {
  let raw = 0n;
  for (const word of ordered(words, order)) raw = (raw << 16n) | BigInt(word & 0xffff);
  return raw;
}

/** Splits an unsigned integer into `count` words in the given order. */
export function unsignedToWords(raw: bigint, count: number, order: Point['words']): number[] {
  const words: number[] = [];
  for (let i = count - 1; i >= 0; i--) words.push(Number((raw >> BigInt(16 * i)) & 0xffffn));
  return [...ordered(words, order)];
}

const SIGNED: ReadonlySet<RegisterType> = new Set(['s16', 's32', 's64', 'sunssf']);

/** Numeric value of an integer type's unsigned raw (two's complement for signed types). */
export function unsignedToValue(type: RegisterType, raw: bigint, words: number): number {
  const bits = BigInt(16 * words);
  if (SIGNED.has(type) && raw >= 1n << (bits - 1n)) return Number(raw - (1n << bits));
  return Number(raw);
}

/** Unsigned raw of an integer value (two's complement for negatives); throws RangeError when it does not fit. */
export function valueToUnsigned(type: RegisterType, value: number, words: number): bigint {
  const bits = BigInt(16 * words);
  const v = BigInt(Math.round(value));
  const [min, max] = SIGNED.has(type)
    ? [-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n]
    : [0n, (1n << bits) - 1n];
  if (v < min || v > max) throw new RangeError(`${value} does not fit ${type} (${min}..${max})`);
  return v < 0n ? v + (1n << bits) : v;
}

/** IEEE-754 single from two words; NaN and infinities mean "no value". */
export function wordsToFloat(words: readonly number[], order: Point['words']): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, Number(wordsToUnsigned(words, order)));
  return view.getFloat32(0);
}

/** Two words holding an IEEE-754 single. */
export function floatToWords(value: number, order: Point['words']): number[] {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, value);
  return unsignedToWords(BigInt(view.getUint32(0)), 2, order);
}

/** ASCII text, two characters a register (high byte first); NULs and padding spaces trimmed. */
export function wordsToText(words: readonly number[]): string {
  const bytes: number[] = [];
  for (const word of words) bytes.push((word >> 8) & 0xff, word & 0xff);
  return String.fromCharCode(...bytes.filter((b) => b !== 0))
    .replace(/[^\x20-\x7e]/g, '')
    .trim();
}

/** Text into `count` registers, NUL-padded (longer text is cut). */
export function textToWords(text: string, count: number): number[] {
  const words: number[] = [];
  for (let i = 0; i < count; i++) {
    const hi = text.charCodeAt(2 * i) || 0;
    const lo = text.charCodeAt(2 * i + 1) || 0;
    words.push(((hi & 0xff) << 8) | (lo & 0xff));
  }
  return words;
}
