/**
 * Checks a schema-valid profile for what a schema cannot see: every point lies in a block of its
 * function, each scale factor is read in the same block as its value, the frequency block yields the
 * frequency, constants fit their fields. Errors name the file and the field.
 */
import { ProfileError } from '../core/errors.ts';
import { NUMERIC_FIELDS, TEXT_FIELDS } from '../core/reading.ts';
import type { Block, Point, Profile } from './profile-schema.ts';
import { operandsOf } from './computed-fields.ts';
import { pointWords, wireAddress } from './register-codec.ts';

const NUMERIC: ReadonlySet<string> = new Set(NUMERIC_FIELDS);
const TEXT: ReadonlySet<string> = new Set(TEXT_FIELDS);

function fail(file: string, field: string, message: string): never {
  throw new ProfileError(`${file}: ${field}: ${message}`, { file, field });
}

/** Where a block reads, without how often. */
type Range = Pick<Block, 'function' | 'start' | 'count'>;

function covers(profile: Profile, block: Range, fn: 3 | 4, address: number, count: number): boolean {
  const start = wireAddress(profile, block.start);
  const wire = wireAddress(profile, address);
  return block.function === fn && wire >= start && wire + count <= start + block.count;
}

/** The first block holding the point and its scale factor, or undefined. */
function blockOf<B extends Range>(profile: Profile, blocks: readonly B[], point: Point): B | undefined {
  return blocks.find(
    (b) =>
      covers(profile, b, point.function, point.address, pointWords(point)) &&
      (point.sf === undefined || covers(profile, b, point.function, point.sf, 1)),
  );
}

function checkPoint(profile: Profile, file: string, field: string, point: Point, section = 'points'): void {
  const where = `${section}.${field}`;
  if (point.type === 'str' && point.size === undefined)
    fail(file, `${where}.size`, 'a str point needs a size');
  if (wireAddress(profile, point.address) < 0) fail(file, `${where}.address`, 'register 0 with addressing 1');
  if (point.map !== undefined && field !== 'status') fail(file, `${where}.map`, 'only status takes a map');
  if (field === 'status' && ['str', 'f32'].includes(point.type))
    fail(file, `${where}.type`, 'status is an integer');
  if (point.sf !== undefined && point.type === 'f32')
    fail(file, `${where}.sf`, 'a float takes no scale factor');
  if (!profile.blocks.some((b) => covers(profile, b, point.function, point.address, pointWords(point)))) {
    fail(file, `${where}.address`, `register ${point.address} (function ${point.function}) is in no block`);
  }
  if (point.sf !== undefined && blockOf(profile, profile.blocks, point) === undefined) {
    fail(
      file,
      `${where}.sf`,
      `scale factor ${point.sf} is not read in the same block as register ${point.address}`,
    );
  }
}

/** Computed fields name points or terms that exist, and do not replace a point. */
function checkComputed(profile: Profile, file: string): void {
  // A computed field may use terms, numeric points and the computed fields listed before it.
  const earlier = new Set<string>();
  for (const [field, computed] of Object.entries(profile.computed)) {
    if (computed === undefined) continue;
    if (field in profile.points) fail(file, `computed.${field}`, 'is also a point: define it once');
    for (const name of operandsOf(computed)) {
      const known =
        name in profile.terms || earlier.has(name) || (NUMERIC.has(name) && name in profile.points);
      if (!known)
        fail(
          file,
          `computed.${field}`,
          `"${name}" is neither a term, a numeric point nor an earlier computed field`,
        );
    }
    earlier.add(field);
  }
  for (const name of Object.keys(profile.terms)) {
    if (name in profile.points) fail(file, `terms.${name}`, 'has the name of a canonical field');
  }
}

/** Throws a ProfileError naming `file` and the field when the profile's registers do not add up. */
export function checkProfile(profile: Profile, file: string): void {
  for (const [field, point] of Object.entries(profile.points)) {
    if (point !== undefined) checkPoint(profile, file, field, point);
  }
  for (const [name, point] of Object.entries(profile.terms)) {
    if (point.map !== undefined) fail(file, `terms.${name}.map`, 'only status takes a map');
    if (point.type === 'str') fail(file, `terms.${name}.type`, 'a term is a number');
    checkPoint(profile, file, name, point, 'terms');
  }
  checkComputed(profile, file);
  for (const [i, block] of profile.blocks.entries()) {
    if (wireAddress(profile, block.start) < 0 || wireAddress(profile, block.start) + block.count > 65536) {
      fail(file, `blocks.${i}`, `block ${block.start}+${block.count} leaves the register space`);
    }
  }
  const frequency = profile.points.grid_frequency_hz;
  if (profile.frequency !== undefined) {
    if (frequency === undefined) fail(file, 'frequency', 'a frequency block needs a grid_frequency_hz point');
    if (blockOf(profile, [profile.frequency], frequency) === undefined) {
      fail(file, 'frequency', 'the frequency block must hold grid_frequency_hz and its scale factor');
    }
  }
  for (const [field, value] of Object.entries(profile.constants)) {
    if (NUMERIC.has(field) ? typeof value !== 'number' : !TEXT.has(field) || typeof value !== 'string') {
      fail(file, `constants.${field}`, `${JSON.stringify(value)} is not a valid value for this field`);
    }
  }
}
