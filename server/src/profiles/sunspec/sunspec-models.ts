/** Every SunSpec model the project decodes, by id. */
import { MODEL_COMMON } from './model-common.ts';
import { INVERTER_MODELS } from './model-inverter.ts';
import { METER_MODELS } from './model-meter.ts';
import { MODEL_MPPT, MODEL_NAMEPLATE } from './model-nameplate.ts';
import { MODEL_BATTERY, MODEL_STORAGE } from './model-storage.ts';
import type { SunSpecModel } from './sunspec-model.ts';

/** The models the project defines: 1, 101–103, 111–113, 120, 124, 160, 201–204, 802. */
export const SUNSPEC_MODELS: ReadonlyMap<number, SunSpecModel> = new Map(
  [
    MODEL_COMMON,
    ...INVERTER_MODELS,
    MODEL_NAMEPLATE,
    MODEL_STORAGE,
    MODEL_MPPT,
    ...METER_MODELS,
    MODEL_BATTERY,
  ].map((m) => [m.id, m]),
);
