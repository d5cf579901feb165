/**
 * The shape of the project's own SunSpec model definitions (checked point by point against the
 * SunSpec Alliance's model files by test/unit/profiles/sunspec-models.test.ts).
 */
import { ProfileError } from '../../core/errors.ts';

/** SunSpec point types used by the models the project decodes. */
export type SunSpecType =
  | 'uint16'
  | 'int16'
  | 'uint32'
  | 'int32'
  | 'acc32'
  | 'float32'
  | 'string'
  | 'sunssf'
  | 'enum16'
  | 'bitfield16'
  | 'bitfield32'
  | 'count'
  | 'pad';

/** One point: offset in registers from the model's (or repeating group's) first register. */
export interface SunSpecPoint {
  name: string;
  offset: number;
  type: SunSpecType;
  size: number;
  /** Name of the scale-factor point in the same model. */
  sf?: string;
  units?: string;
}

/** A model: fixed part (ID and L included, as in the SunSpec files) and an optional repeating group. */
export interface SunSpecModel {
  id: number;
  name: string;
  /** The model length L of the fixed part (registers after ID and L). */
  length: number;
  points: readonly SunSpecPoint[];
  /** A group repeated N times after the fixed part (model 160's modules); offsets within one instance. */
  repeating?: { name: string; length: number; points: readonly SunSpecPoint[] };
}

/** A point as written in the model tables: name, type, size (default 1), scale factor, units. */
export type PointSpec = readonly [
  name: string,
  type: SunSpecType,
  size?: number,
  sf?: string,
  units?: string,
];

/** Lays points out one after another from offset 0, as SunSpec does. */
export function layout(specs: readonly PointSpec[]): SunSpecPoint[] {
  let offset = 0;
  return specs.map(([name, type, size = 1, sf, units]) => {
    const point: SunSpecPoint = { name, offset, type, size };
    if (sf !== undefined) point.sf = sf;
    if (units !== undefined) point.units = units;
    offset += size;
    return point;
  });
}

/** Registers a laid-out point list occupies. */
export function spanOf(points: readonly SunSpecPoint[]): number {
  return points.reduce((end, p) => Math.max(end, p.offset + p.size), 0);
}

/** The point `name` of `model`; throws when the model does not define it (a programming error). */
export function pointOf(model: SunSpecModel, name: string): SunSpecPoint {
  const point =
    model.points.find((p) => p.name === name) ?? model.repeating?.points.find((p) => p.name === name);
  if (point === undefined) throw new ProfileError(`SunSpec model ${model.id} has no point ${name}`);
  return point;
}
