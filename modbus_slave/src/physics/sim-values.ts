/**
 * What a simulated device measures at one moment, in canonical reading fields and SI units: the
 * input of the profile encoder.
 */
import type { DeviceStatus, NumericField, TextField } from '../../../server/src/core/reading.ts';

/** Canonical field values of one simulated device. */
export type SimValues = Partial<Record<NumericField, number>> &
  Partial<Record<TextField, string>> & { status?: DeviceStatus };

/** Ambient conditions every device of a site shares at one moment. */
export interface SiteConditions {
  /** Simulated wall time, ms since epoch. */
  timeMs: number;
  /** Plane-of-array light as a fraction of 1000 W/m² (clear sky × clouds). */
  lightFactor: number;
  gridFrequencyHz: number;
  ambientC: number;
  /** Nominal phase voltage of the grid, V. */
  nominalVoltageV: number;
}
