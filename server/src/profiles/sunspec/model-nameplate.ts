/** SunSpec model 120 (nameplate ratings) and 160 (multiple MPPT inputs, repeating module groups). */
import { layout, type SunSpecModel } from './sunspec-model.ts';

/** Model 120, nameplate (L = 26). */
export const MODEL_NAMEPLATE: SunSpecModel = {
  id: 120,
  name: 'nameplate',
  length: 26,
  points: layout([
    ['ID', 'uint16'],
    ['L', 'uint16'],
    ['DERTyp', 'enum16'],
    ['WRtg', 'uint16', 1, 'WRtg_SF', 'W'],
    ['WRtg_SF', 'sunssf'],
    ['VARtg', 'uint16', 1, 'VARtg_SF', 'VA'],
    ['VARtg_SF', 'sunssf'],
    ['VArRtgQ1', 'int16', 1, 'VArRtg_SF', 'var'],
    ['VArRtgQ2', 'int16', 1, 'VArRtg_SF', 'var'],
    ['VArRtgQ3', 'int16', 1, 'VArRtg_SF', 'var'],
    ['VArRtgQ4', 'int16', 1, 'VArRtg_SF', 'var'],
    ['VArRtg_SF', 'sunssf'],
    ['ARtg', 'uint16', 1, 'ARtg_SF', 'A'],
    ['ARtg_SF', 'sunssf'],
    ['PFRtgQ1', 'int16', 1, 'PFRtg_SF', 'cos()'],
    ['PFRtgQ2', 'int16', 1, 'PFRtg_SF', 'cos()'],
    ['PFRtgQ3', 'int16', 1, 'PFRtg_SF', 'cos()'],
    ['PFRtgQ4', 'int16', 1, 'PFRtg_SF', 'cos()'],
    ['PFRtg_SF', 'sunssf'],
    ['WHRtg', 'uint16', 1, 'WHRtg_SF', 'Wh'],
    ['WHRtg_SF', 'sunssf'],
    ['AhrRtg', 'uint16', 1, 'AhrRtg_SF', 'AH'],
    ['AhrRtg_SF', 'sunssf'],
    ['MaxChaRte', 'uint16', 1, 'MaxChaRte_SF', 'W'],
    ['MaxChaRte_SF', 'sunssf'],
    ['MaxDisChaRte', 'uint16', 1, 'MaxDisChaRte_SF', 'W'],
    ['MaxDisChaRte_SF', 'sunssf'],
    ['Pad', 'pad'],
  ]),
};

/** Model 160, multiple MPPT: fixed part (L = 8 + 20·N) and N module groups of 20 registers. */
export const MODEL_MPPT: SunSpecModel = {
  id: 160,
  name: 'mppt',
  length: 8,
  points: layout([
    ['ID', 'uint16'],
    ['L', 'uint16'],
    ['DCA_SF', 'sunssf'],
    ['DCV_SF', 'sunssf'],
    ['DCW_SF', 'sunssf'],
    ['DCWH_SF', 'sunssf'],
    ['Evt', 'bitfield32', 2],
    ['N', 'count'],
    ['TmsPer', 'uint16'],
  ]),
  repeating: {
    name: 'module',
    length: 20,
    points: layout([
      ['ID', 'uint16'],
      ['IDStr', 'string', 8],
      ['DCA', 'uint16', 1, 'DCA_SF', 'A'],
      ['DCV', 'uint16', 1, 'DCV_SF', 'V'],
      ['DCW', 'uint16', 1, 'DCW_SF', 'W'],
      ['DCWH', 'acc32', 2, 'DCWH_SF', 'Wh'],
      ['Tms', 'uint32', 2, undefined, 'Secs'],
      ['Tmp', 'int16', 1, undefined, 'C'],
      ['DCSt', 'enum16'],
      ['DCEvt', 'bitfield32', 2],
    ]),
  },
};
