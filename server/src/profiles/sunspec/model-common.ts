/** SunSpec model 1 (common): manufacturer, model, options, version, serial number, device address. */
import { layout, type SunSpecModel } from './sunspec-model.ts';

/** Model 1, common block (L = 66). */
export const MODEL_COMMON: SunSpecModel = {
  id: 1,
  name: 'common',
  length: 66,
  points: layout([
    ['ID', 'uint16'],
    ['L', 'uint16'],
    ['Mn', 'string', 16],
    ['Md', 'string', 16],
    ['Opt', 'string', 8],
    ['Vr', 'string', 8],
    ['SN', 'string', 16],
    ['DA', 'uint16'],
    ['Pad', 'pad'],
  ]),
};
