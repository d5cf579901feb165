/**
 * SunSpec inverter models: 101/102/103 (single, split, three phase; integers + scale factors) and
 * 111/112/113 (the same measurements as float32). Each trio shares one layout.
 */
import { layout, type PointSpec, type SunSpecModel } from './sunspec-model.ts';

const EVENTS: readonly PointSpec[] = [
  ['Evt1', 'bitfield32', 2],
  ['Evt2', 'bitfield32', 2],
  ['EvtVnd1', 'bitfield32', 2],
  ['EvtVnd2', 'bitfield32', 2],
  ['EvtVnd3', 'bitfield32', 2],
  ['EvtVnd4', 'bitfield32', 2],
];

const INTEGER_LAYOUT = layout([
  ['ID', 'uint16'],
  ['L', 'uint16'],
  ['A', 'uint16', 1, 'A_SF', 'A'],
  ['AphA', 'uint16', 1, 'A_SF', 'A'],
  ['AphB', 'uint16', 1, 'A_SF', 'A'],
  ['AphC', 'uint16', 1, 'A_SF', 'A'],
  ['A_SF', 'sunssf'],
  ['PPVphAB', 'uint16', 1, 'V_SF', 'V'],
  ['PPVphBC', 'uint16', 1, 'V_SF', 'V'],
  ['PPVphCA', 'uint16', 1, 'V_SF', 'V'],
  ['PhVphA', 'uint16', 1, 'V_SF', 'V'],
  ['PhVphB', 'uint16', 1, 'V_SF', 'V'],
  ['PhVphC', 'uint16', 1, 'V_SF', 'V'],
  ['V_SF', 'sunssf'],
  ['W', 'int16', 1, 'W_SF', 'W'],
  ['W_SF', 'sunssf'],
  ['Hz', 'uint16', 1, 'Hz_SF', 'Hz'],
  ['Hz_SF', 'sunssf'],
  ['VA', 'int16', 1, 'VA_SF', 'VA'],
  ['VA_SF', 'sunssf'],
  ['VAr', 'int16', 1, 'VAr_SF', 'var'],
  ['VAr_SF', 'sunssf'],
  ['PF', 'int16', 1, 'PF_SF', 'Pct'],
  ['PF_SF', 'sunssf'],
  ['WH', 'acc32', 2, 'WH_SF', 'Wh'],
  ['WH_SF', 'sunssf'],
  ['DCA', 'uint16', 1, 'DCA_SF', 'A'],
  ['DCA_SF', 'sunssf'],
  ['DCV', 'uint16', 1, 'DCV_SF', 'V'],
  ['DCV_SF', 'sunssf'],
  ['DCW', 'int16', 1, 'DCW_SF', 'W'],
  ['DCW_SF', 'sunssf'],
  ['TmpCab', 'int16', 1, 'Tmp_SF', 'C'],
  ['TmpSnk', 'int16', 1, 'Tmp_SF', 'C'],
  ['TmpTrns', 'int16', 1, 'Tmp_SF', 'C'],
  ['TmpOt', 'int16', 1, 'Tmp_SF', 'C'],
  ['Tmp_SF', 'sunssf'],
  ['St', 'enum16'],
  ['StVnd', 'enum16'],
  ...EVENTS,
]);

const f = (name: string, units: string): PointSpec => [name, 'float32', 2, undefined, units];
const FLOAT_LAYOUT = layout([
  ['ID', 'uint16'],
  ['L', 'uint16'],
  f('A', 'A'),
  f('AphA', 'A'),
  f('AphB', 'A'),
  f('AphC', 'A'),
  f('PPVphAB', 'V'),
  f('PPVphBC', 'V'),
  f('PPVphCA', 'V'),
  f('PhVphA', 'V'),
  f('PhVphB', 'V'),
  f('PhVphC', 'V'),
  f('W', 'W'),
  f('Hz', 'Hz'),
  f('VA', 'VA'),
  f('VAr', 'var'),
  f('PF', 'Pct'),
  f('WH', 'Wh'),
  f('DCA', 'A'),
  f('DCV', 'V'),
  f('DCW', 'W'),
  f('TmpCab', 'C'),
  f('TmpSnk', 'C'),
  f('TmpTrns', 'C'),
  f('TmpOt', 'C'),
  ['St', 'enum16'],
  ['StVnd', 'enum16'],
  ...EVENTS,
]);

const integer = (id: number, name: string): SunSpecModel => ({
  id,
  name,
  length: 50,
  points: INTEGER_LAYOUT,
});
const float = (id: number, name: string): SunSpecModel => ({ id, name, length: 60, points: FLOAT_LAYOUT });

/** Inverter models by id: 101–103 integer + scale factor, 111–113 float. */
export const INVERTER_MODELS: readonly SunSpecModel[] = [
  integer(101, 'inverter_single_phase'),
  integer(102, 'inverter_split_phase'),
  integer(103, 'inverter_three_phase'),
  float(111, 'inverter_single_phase_float'),
  float(112, 'inverter_split_phase_float'),
  float(113, 'inverter_three_phase_float'),
];

/** SunSpec operating state (St) → canonical status. */
export const SUNSPEC_STATUS_MAP = {
  '1': 'off',
  '2': 'sleeping',
  '3': 'starting',
  '4': 'producing',
  '5': 'throttled',
  '6': 'shutting_down',
  '7': 'fault',
  '8': 'standby',
} as const;
