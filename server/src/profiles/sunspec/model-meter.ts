/**
 * SunSpec meter models 201–204 (single phase, split phase, wye and delta three phase; integers +
 * scale factors). They share one layout; 201 names its line-to-line voltages PPVph*, the others PhVph*.
 */
import { layout, type PointSpec, type SunSpecModel } from './sunspec-model.ts';

const PHASES = ['', 'phA', 'phB', 'phC'] as const;

/** A total and its three phases, e.g. W, WphA, WphB, WphC, then the scale factor. */
function perPhase(name: string, units: string, sf = `${name}_SF`): PointSpec[] {
  return [...PHASES.map((p): PointSpec => [`${name}${p}`, 'int16', 1, sf, units]), [sf, 'sunssf']];
}

/** Energy accumulators: a total and its phases, as `acc32`. */
function accumulators(name: string, sf: string, units: string): PointSpec[] {
  return ['', 'PhA', 'PhB', 'PhC'].map((p): PointSpec => [`${name}${p}`, 'acc32', 2, sf, units]);
}

function meterLayout(lineVoltage: 'PPVph' | 'PhVph'): PointSpec[] {
  const v = (name: string): PointSpec => [name, 'int16', 1, 'V_SF', 'V'];
  return [
    ['ID', 'uint16'],
    ['L', 'uint16'],
    ...perPhase('A', 'A'),
    v('PhV'),
    v('PhVphA'),
    v('PhVphB'),
    v('PhVphC'),
    v('PPV'),
    v(`${lineVoltage}AB`),
    v(`${lineVoltage}BC`),
    v(`${lineVoltage}CA`),
    ['V_SF', 'sunssf'],
    ['Hz', 'int16', 1, 'Hz_SF', 'Hz'],
    ['Hz_SF', 'sunssf'],
    ...perPhase('W', 'W'),
    ...perPhase('VA', 'VA'),
    ...perPhase('VAR', 'var'),
    ...perPhase('PF', 'Pct'),
    ...accumulators('TotWhExp', 'TotWh_SF', 'Wh'),
    ...accumulators('TotWhImp', 'TotWh_SF', 'Wh'),
    ['TotWh_SF', 'sunssf'],
    ...accumulators('TotVAhExp', 'TotVAh_SF', 'VAh'),
    ...accumulators('TotVAhImp', 'TotVAh_SF', 'VAh'),
    ['TotVAh_SF', 'sunssf'],
    ...accumulators('TotVArhImpQ1', 'TotVArh_SF', 'varh'),
    ...accumulators('TotVArhImpQ2', 'TotVArh_SF', 'varh'),
    ...accumulators('TotVArhExpQ3', 'TotVArh_SF', 'varh'),
    ...accumulators('TotVArhExpQ4', 'TotVArh_SF', 'varh'),
    ['TotVArh_SF', 'sunssf'],
    ['Evt', 'bitfield32', 2],
  ];
}

const meter = (id: number, name: string, lineVoltage: 'PPVph' | 'PhVph'): SunSpecModel => ({
  id,
  name,
  length: 105,
  points: layout(meterLayout(lineVoltage)),
});

/** Meter models by id. Real power W: positive = import from the grid (SunSpec meter convention). */
export const METER_MODELS: readonly SunSpecModel[] = [
  meter(201, 'ac_meter_an_or_ab', 'PPVph'),
  meter(202, 'ac_meter_abn', 'PhVph'),
  meter(203, 'ac_meter_abcn', 'PhVph'),
  meter(204, 'ac_meter_abc', 'PhVph'),
];
