/**
 * Register images for device tests: every registry profile encoded from one set of canonical values
 * (B2's encodeReading), a SunSpec device with its model chain, and a loader into the raw responder.
 */
import type { DecodedReading } from '../../../server/src/profiles/decode.ts';
import { encodeReading, type RegisterImage } from '../../../server/src/profiles/encode.ts';
import type { Profile } from '../../../server/src/profiles/profile-schema.ts';
import type { SunSpecChain } from '../../../server/src/profiles/sunspec/sunspec-chain.ts';
import { buildSunSpecProfile } from '../../../server/src/profiles/sunspec/sunspec-profile.ts';
import { SUNSPEC_MODELS } from '../../../server/src/profiles/sunspec/sunspec-models.ts';
import type { ModbusResponder } from '../../fakes/modbus-responder.ts';

/** Plausible values for every canonical field; a profile encodes those it has points for. */
export const SAMPLE_VALUES: DecodedReading = {
  model: 'TEST-5K',
  serial: 'SN12345678',
  status: 'producing',
  ac_power_w: 3120,
  grid_frequency_hz: 50.02,
  energy_total_wh: 12_345_600,
  ac_voltage_l1_v: 230.1,
  ac_voltage_l2_v: 231.2,
  ac_voltage_l3_v: 229.8,
  ac_current_l1_a: 4.52,
  ac_current_l2_a: 4.48,
  ac_current_l3_a: 4.61,
  dc_power_w: 3250,
  pv1_voltage_v: 360.5,
  pv1_current_a: 4.5,
  pv2_voltage_v: 355.2,
  pv2_current_a: 4.6,
  pv3_voltage_v: 340.4,
  pv3_current_a: 1.2,
  pv4_voltage_v: 330.3,
  pv4_current_a: 1.1,
  temperature_c: 41.3,
  rated_power_w: 5000,
  grid_power_w: -1520,
  energy_import_wh: 2_345_000,
  energy_export_wh: 3_456_000,
};

/** The values a profile can carry: fields it has points for (status only if its map has "producing"). */
export function valuesFor(profile: Profile): DecodedReading {
  const out: Record<string, string | number> = {};
  for (const [field, point] of Object.entries(profile.points)) {
    const value = (SAMPLE_VALUES as Record<string, string | number | undefined>)[field];
    if (point === undefined || value === undefined) continue;
    if (field === 'status' && !Object.values(point.map ?? {}).includes('producing')) continue;
    // Some meters keep the serial number as an integer register: it reads back as digits.
    if ((field === 'serial' || field === 'model') && point.type !== 'str') {
      out[field] = field === 'serial' ? '12345678' : '630';
      continue;
    }
    out[field] = value;
  }
  return out as DecodedReading;
}

/** Puts an image into the responder for `unit`. */
export function loadImage(responder: ModbusResponder, unit: number, image: RegisterImage): void {
  for (const [address, value] of image.holding) responder.set(3, unit, address, [value]);
  for (const [address, value] of image.input) responder.set(4, unit, address, [value]);
}

/** A SunSpec chain at 40000: common model 1, inverter 103, nameplate 120, MPPT 160 (2 modules). */
export function sunspecChain(): SunSpecChain {
  const models: SunSpecChain['models'] = [];
  let address = 40002;
  for (const [id, extra] of [
    [1, 0],
    [103, 0],
    [120, 0],
    [160, 2],
  ] as const) {
    const model = SUNSPEC_MODELS.get(id);
    if (model === undefined) throw new Error(`SunSpec model ${id} is not defined`);
    const length = model.length + extra * (model.repeating?.length ?? 0);
    models.push({ id, start: address, length });
    address += 2 + length;
  }
  return { base: 40000, models };
}

/** The SunSpec profile and a full device image (marker, model headers, values, end marker). */
export function sunspecDevice(values?: DecodedReading): { profile: Profile; image: RegisterImage } {
  const chain = sunspecChain();
  const profile = buildSunSpecProfile(chain);
  // WH_SF 0 as real inverters use: the encoder's "finest scale factor" would wrap the acc32 energy.
  const image = encodeReading(profile, values ?? valuesFor(profile), { sf: { energy_total_wh: 0 } });
  image.holding.set(40000, 0x5375);
  image.holding.set(40001, 0x6e53);
  for (const model of chain.models) {
    image.holding.set(model.start, model.id);
    image.holding.set(model.start + 1, model.length);
    // Registers of the model not covered by the profile's blocks still exist on a real device.
    for (let a = model.start + 2; a < model.start + 2 + model.length; a++) {
      if (!image.holding.has(a)) image.holding.set(a, 0);
    }
  }
  const last = chain.models[chain.models.length - 1]!;
  const end = last.start + 2 + last.length;
  image.holding.set(end, 0xffff);
  image.holding.set(end + 1, 0);
  return { profile, image };
}
