/**
 * Turns a discovered SunSpec chain into an ordinary Profile: one block per model (≤ 125 registers, so
 * every value is read with its scale factor), points mapped to the canonical reading.
 */
import { ProfileError } from '../../core/errors.ts';
import { checkProfile } from '../profile-check.ts';
import { ProfileSchema, type Profile, type ProfileInput, type RegisterType } from '../profile-schema.ts';
import { SUNSPEC_STATUS_MAP } from './model-inverter.ts';
import type { SunSpecChain, SunSpecModelRef } from './sunspec-chain.ts';
import { pointOf, type SunSpecModel, type SunSpecType } from './sunspec-model.ts';
import { SUNSPEC_MODELS } from './sunspec-models.ts';

type PointInput = NonNullable<ProfileInput['points'][keyof ProfileInput['points']]>;
type Points = Record<string, PointInput>;

const TYPES: Partial<Record<SunSpecType, RegisterType>> = {
  uint16: 'u16',
  int16: 's16',
  uint32: 'u32',
  int32: 's32',
  acc32: 'acc32',
  float32: 'f32',
  string: 'str',
  sunssf: 'sunssf',
  enum16: 'u16',
  count: 'u16',
};

/** MPPT inputs the canonical reading has room for. */
const MAX_PV = 4;
const MAX_BLOCK = 125;
const INVERTERS = new Set([101, 102, 103, 111, 112, 113]);
const METERS = new Set([201, 202, 203, 204]);
const STORAGE = 124;
const BATTERY = 802;

/** A profile point for SunSpec point `name` of the model at `ref` (`base` adds a repeating-group offset). */
function sunspecPoint(model: SunSpecModel, ref: SunSpecModelRef, name: string, base = 0): PointInput {
  const point = pointOf(model, name);
  const type = TYPES[point.type];
  if (type === undefined) throw new ProfileError(`SunSpec point ${name} has no register type`);
  const out: PointInput = { name: `${model.id}.${name}`, address: ref.start + base + point.offset, type };
  if (type === 'str') out.size = point.size;
  // Scale factors of repeating groups live in the fixed part of the model.
  if (point.sf !== undefined) out.sf = ref.start + pointOf(model, point.sf).offset;
  return out;
}

function identity(model: SunSpecModel, ref: SunSpecModelRef): Points {
  return {
    make: sunspecPoint(model, ref, 'Mn'),
    model: sunspecPoint(model, ref, 'Md'),
    serial: sunspecPoint(model, ref, 'SN'),
  };
}

function inverter(model: SunSpecModel, ref: SunSpecModelRef): Points {
  const p = (name: string): PointInput => sunspecPoint(model, ref, name);
  return {
    ac_power_w: p('W'),
    grid_frequency_hz: p('Hz'),
    // SunSpec: an acc32 of 0 means "not accumulated"; a commissioned inverter never reports 0 Wh.
    energy_total_wh: { ...p('WH'), notImplemented: model.id > 110 ? [] : [0] },
    ac_voltage_l1_v: p('PhVphA'),
    ac_voltage_l2_v: p('PhVphB'),
    ac_voltage_l3_v: p('PhVphC'),
    ac_current_l1_a: p('AphA'),
    ac_current_l2_a: p('AphB'),
    ac_current_l3_a: p('AphC'),
    dc_power_w: p('DCW'),
    temperature_c: p('TmpCab'),
    status: { ...p('St'), map: SUNSPEC_STATUS_MAP },
  };
}

function mppt(model: SunSpecModel, ref: SunSpecModelRef): Points {
  const repeating = model.repeating;
  if (repeating === undefined) return {};
  const modules = Math.max(0, Math.floor((ref.length - model.length) / repeating.length));
  const points: Points = {};
  for (let k = 0; k < Math.min(modules, MAX_PV); k++) {
    const base = model.length + 2 + k * repeating.length;
    points[`pv${k + 1}_voltage_v`] = sunspecPoint(model, ref, 'DCV', base);
    points[`pv${k + 1}_current_a`] = sunspecPoint(model, ref, 'DCA', base);
  }
  return points;
}

function meter(model: SunSpecModel, ref: SunSpecModelRef, withPhases: boolean): Points {
  const p = (name: string): PointInput => sunspecPoint(model, ref, name);
  const energy = (name: string): PointInput => ({ ...p(name), notImplemented: [0] });
  const points: Points = {
    // SunSpec meters count W positive when power flows from the grid into the site: DESIGN's "import".
    grid_power_w: p('W'),
    energy_import_wh: energy('TotWhImp'),
    energy_export_wh: energy('TotWhExp'),
  };
  if (!withPhases) return points;
  return {
    ...points,
    grid_frequency_hz: p('Hz'),
    ac_voltage_l1_v: p('PhVphA'),
    ac_voltage_l2_v: p('PhVphB'),
    ac_voltage_l3_v: p('PhVphC'),
    ac_current_l1_a: p('AphA'),
    ac_current_l2_a: p('AphB'),
    ac_current_l3_a: p('AphC'),
  };
}

/** Models that hold identity and nameplate: read once per connection; the nameplate may be missing. */
const ONCE_PER_CONNECTION = new Set([1, 120]);

/** Model 124 (storage controls): state of charge and battery voltage. */
function storage(model: SunSpecModel, ref: SunSpecModelRef): Points {
  return {
    battery_soc_pct: sunspecPoint(model, ref, 'ChaState'),
    battery_voltage_v: sunspecPoint(model, ref, 'InBatV'),
  };
}

/**
 * Model 802 (battery bank). The model leaves the sign of W and A open; devices serving it (Kostal,
 * read by the evcc kostal-plenticore template as "positive = discharging") count discharge positive,
 * so the canonical fields (positive = charging) take them negated, as terms.
 */
function battery(model: SunSpecModel, ref: SunSpecModelRef): { points: Points; terms: Points } {
  return {
    points: {
      battery_soc_pct: sunspecPoint(model, ref, 'SoC'),
      battery_voltage_v: sunspecPoint(model, ref, 'V'),
    },
    terms: {
      battery_discharge_w: sunspecPoint(model, ref, 'W'),
      battery_discharge_a: sunspecPoint(model, ref, 'A'),
    },
  };
}

/** The block for a model: its header and as much of it as one read allows (the MPPT groups we use). */
function blockFor(model: SunSpecModel, ref: SunSpecModelRef): NonNullable<ProfileInput['blocks']>[number] {
  const usable = model.repeating ? model.length + 2 + MAX_PV * model.repeating.length : model.length + 2;
  const block = {
    function: 3 as const,
    start: ref.start,
    count: Math.min(ref.length + 2, usable, MAX_BLOCK),
  };
  return ONCE_PER_CONNECTION.has(ref.id)
    ? { ...block, cadence: 'connection', optional: ref.id === 120 }
    : block;
}

/** Builds the profile of a discovered chain; throws a ProfileError when it holds no inverter or meter model. */
export function buildSunSpecProfile(chain: SunSpecChain): Profile {
  const find = (ids: ReadonlySet<number>): SunSpecModelRef | undefined =>
    chain.models.find((m) => ids.has(m.id));
  const model = (ref: SunSpecModelRef): SunSpecModel => SUNSPEC_MODELS.get(ref.id) as SunSpecModel;
  const inv = find(INVERTERS);
  const met = find(METERS);
  if (inv === undefined && met === undefined && find(new Set([BATTERY])) === undefined) {
    const ids = chain.models.map((m) => m.id).join(', ') || 'none';
    throw new ProfileError(
      `SunSpec chain at ${chain.base} has no inverter, meter or battery model (models: ${ids})`,
      {
        register: chain.base,
      },
    );
  }
  const bat = find(new Set([BATTERY]));
  const used = [
    find(new Set([1])),
    find(new Set([120])),
    find(new Set([STORAGE])),
    find(new Set([160])),
    inv,
    met,
    bat,
  ].filter((r): r is SunSpecModelRef => r !== undefined);
  let points: Points = {};
  let terms: Points = {};
  for (const ref of used) {
    const m = model(ref);
    if (ref.id === 1) points = { ...points, ...identity(m, ref) };
    else if (ref.id === 120) points.rated_power_w = sunspecPoint(m, ref, 'WRtg');
    else if (ref.id === STORAGE) points = { ...points, ...storage(m, ref) };
    else if (ref.id === 160) points = { ...points, ...mppt(m, ref) };
    else if (ref.id === BATTERY) {
      // A battery bank's own SoC and voltage are more direct than the inverter's storage controls.
      const found = battery(m, ref);
      points = { ...points, ...found.points };
      terms = found.terms;
    } else if (INVERTERS.has(ref.id)) points = { ...points, ...inverter(m, ref) };
    else points = { ...points, ...meter(m, ref, inv === undefined) };
  }
  const blocks = used.map((ref) => blockFor(model(ref), ref));
  // Drop points a short model (device-specific L) does not reach.
  const reaches = (point: PointInput): boolean => {
    const block = blocks.find((b) => point.address >= b.start && point.address < b.start + b.count);
    const end = point.address + (point.size ?? (['u16', 's16', 'sunssf'].includes(point.type) ? 1 : 2));
    return block !== undefined && end <= block.start + block.count;
  };
  for (const [field, point] of Object.entries(points)) if (!reaches(point)) delete points[field];
  for (const [name, point] of Object.entries(terms)) if (!reaches(point)) delete terms[name];
  const computed: NonNullable<ProfileInput['computed']> = {};
  if (terms.battery_discharge_w) computed.battery_power_w = { negate: 'battery_discharge_w' };
  if (terms.battery_discharge_a) computed.battery_current_a = { negate: 'battery_discharge_a' };
  const freq = points.grid_frequency_hz;
  const input: ProfileInput = {
    id: 'sunspec',
    make: 'SunSpec',
    kind: inv !== undefined ? 'inverter' : met !== undefined ? 'meter' : 'battery',
    products: [`SunSpec models ${chain.models.map((m) => m.id).join(', ')}`],
    blocks,
    frequency: freq === undefined ? undefined : frequencyBlock(freq),
    points,
    terms,
    computed,
    notes: `discovered at base ${chain.base}`,
  };
  const profile = ProfileSchema.parse(input);
  checkProfile(profile, `SunSpec chain at ${chain.base}`);
  return profile;
}

/** The smallest read holding the frequency and its scale factor (adjacent in every SunSpec model). */
function frequencyBlock(point: PointInput): { function: 3; start: number; count: number } {
  const start = Math.min(point.address, point.sf ?? point.address);
  const end = Math.max(point.address + (point.type === 'f32' ? 2 : 1), (point.sf ?? 0) + 1);
  return { function: 3, start, count: end - start };
}
