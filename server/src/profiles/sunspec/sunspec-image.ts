/**
 * A complete SunSpec register image for the simulator: "SunS", the chain of models (every point not
 * carrying a value holds its "not implemented" value), the reading encoded with scale factors that
 * change with power, and the end marker.
 */
import type { DecodedReading } from '../decode.ts';
import { emptyImage, encodePoints, writeWords, type EncodeOptions, type RegisterImage } from '../encode.ts';
import type { Profile } from '../profile-schema.ts';
import { floatToWords } from '../register-codec.ts';
import { SUNSPEC_MARKER, type SunSpecChain, type SunSpecModelRef } from './sunspec-chain.ts';
import type { SunSpecModel, SunSpecPoint } from './sunspec-model.ts';
import { SUNSPEC_MODELS } from './sunspec-models.ts';
import { buildSunSpecProfile } from './sunspec-profile.ts';

/** The default chain of a simulated three-phase inverter: common, nameplate, inverter, MPPT. */
export const DEFAULT_SUNSPEC_MODELS: readonly number[] = [1, 120, 103, 160];

/** Words of a SunSpec point that carries no value. */
function notImplemented(point: SunSpecPoint): number[] {
  switch (point.type) {
    case 'int16':
    case 'sunssf':
    case 'pad':
      return [0x8000];
    case 'int32':
      return [0x8000, 0];
    case 'uint32':
    case 'bitfield32':
      return [0xffff, 0xffff];
    case 'float32':
      return floatToWords(Number.NaN, 'high-first');
    case 'acc32':
    case 'string':
      return new Array<number>(point.size).fill(0);
    default:
      return [0xffff];
  }
}

/** MPPT modules in the image: as many as the reading has PV inputs (at least one). */
function moduleCount(values: DecodedReading): number {
  let count = 1;
  for (let k = 1; k <= 4; k++) {
    if ((values as Record<string, unknown>)[`pv${k}_voltage_v`] !== undefined) count = k;
  }
  return count;
}

function lengthOf(model: SunSpecModel, modules: number): number {
  return model.length + (model.repeating ? modules * model.repeating.length : 0);
}

function fillModel(image: RegisterImage, model: SunSpecModel, ref: SunSpecModelRef, modules: number): void {
  for (const point of model.points) writeWords(image, 3, ref.start + point.offset, notImplemented(point));
  writeWords(image, 3, ref.start, [model.id, ref.length]);
  if (!model.repeating) return;
  writeWords(image, 3, ref.start + 8, [modules]);
  for (let k = 0; k < modules; k++) {
    const base = ref.start + model.length + 2 + k * model.repeating.length;
    for (const point of model.repeating.points)
      writeWords(image, 3, base + point.offset, notImplemented(point));
    writeWords(image, 3, base, [k + 1]);
  }
}

/** Profiles of the chains built so far: a simulator redraws the same chain many times a second. */
const profileCache = new Map<string, Profile>();

function chainProfile(chain: SunSpecChain): Profile {
  const key = JSON.stringify(chain);
  let profile = profileCache.get(key);
  if (profile === undefined) {
    profile = buildSunSpecProfile(chain);
    if (profileCache.size > 64) profileCache.clear();
    profileCache.set(key, profile);
  }
  return profile;
}

/**
 * Holding-register image of a SunSpec device with `models` (ids from SUNSPEC_MODELS, in chain order)
 * at `base`, showing `values`. Scale factors are chosen per value unless `options.sf` fixes them.
 */
export function sunspecImage(
  models: readonly number[],
  values: DecodedReading,
  base = 40000,
  options: EncodeOptions = {},
): RegisterImage {
  const image = emptyImage();
  const modules = moduleCount(values);
  const chain: SunSpecChain = { base, models: [] };
  let address = base + 2;
  for (const id of models) {
    const model = SUNSPEC_MODELS.get(id);
    if (model === undefined) throw new RangeError(`SunSpec model ${id} is not defined by the project`);
    const ref = { id, start: address, length: lengthOf(model, modules) };
    chain.models.push(ref);
    fillModel(image, model, ref, modules);
    address += 2 + ref.length;
  }
  writeWords(image, 3, base, SUNSPEC_MARKER);
  writeWords(image, 3, address, [0xffff, 0]);
  return encodePoints(chainProfile(chain), values, options, image);
}
