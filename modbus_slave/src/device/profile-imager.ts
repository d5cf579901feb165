/**
 * Binds the shared profile encoder to one profile: values → the registers the device serves, with
 * every block, frequency and identify range readable. Also reads from a profile what a simulated
 * device must look like (meter or inverter, phases, MPPT inputs, rating).
 */
import type { DeviceStatus } from '../../../server/src/core/reading.ts';
import { encodeReading } from '../../../server/src/profiles/encode.ts';
import { wireAddress } from '../../../server/src/profiles/register-codec.ts';
import type { Profile } from '../../../server/src/profiles/profile-schema.ts';
import type { SimValues } from '../physics/sim-values.ts';
import { fillRange, tableFor, type RegisterImage } from '../server/register-image.ts';
import type { Imager } from './simulated-device.ts';

/** What a profile says about the device behind it. */
export interface ProfileShape {
  kind: 'inverter' | 'meter' | 'battery';
  /** 1 or 3. */
  phases: number;
  /** MPPT inputs the profile reads (at least 1). */
  mppts: number;
  /** Nameplate power when the profile fixes it as a constant, W. */
  ratedPowerW?: number;
  /** The profile reads battery fields: the device is a hybrid (or a battery) with battery physics. */
  battery: boolean;
}

/** Reads the device shape from the points a profile decodes. */
export function profileShape(profile: Profile): ProfileShape {
  const has = (field: string): boolean => field in profile.points || field in profile.computed;
  const phases = has('ac_voltage_l2_v') || has('ac_current_l2_a') || has('grid_power_l2_w') ? 3 : 1;
  let mppts = 1;
  for (const n of [2, 3, 4]) if (has(`pv${n}_voltage_v`) || has(`pv${n}_current_a`)) mppts = n;
  const rated = Number(profile.constants.rated_power_w);
  const battery =
    profile.kind === 'battery' ||
    Object.keys({ ...profile.points, ...profile.computed }).some((f) => f.startsWith('battery_'));
  return {
    kind: profile.kind,
    phases,
    mppts,
    battery,
    ...(Number.isFinite(rated) && rated > 0 ? { ratedPowerW: rated } : {}),
  };
}

/**
 * Identity values in the form the profile stores them: a numeric serial register gets a number that
 * fits it (meters such as the SDM630 keep the serial as a u32), a text register gets the text.
 */
export function identityFor(profile: Profile, serial: string, model: string): SimValues {
  const point = profile.points.serial;
  let shownSerial = serial;
  if (point && point.type !== 'str') {
    const digits = Number.parseInt(serial.replace(/\D/g, '').slice(-8) || '1', 10);
    shownSerial = String(
      point.type === 'u16' || point.type === 's16' ? digits % 32_768 : digits % 100_000_000,
    );
  }
  // Text registers hold size·2 characters; a device shows what fits (the end of a serial, which varies).
  const fit = (field: 'serial' | 'model', text: string, fromEnd: boolean): string => {
    const target = profile.points[field];
    if (target?.type !== 'str' || target.size === undefined) return text;
    const chars = target.size * 2;
    return fromEnd ? text.slice(-chars) : text.slice(0, chars).trimEnd();
  };
  return { make: profile.make, model: fit('model', model, false), serial: fit('serial', shownSerial, true) };
}

/** Statuses to fall back to when a vendor has no code for a state (most have no "throttled"). */
const STATUS_FALLBACK: Partial<Record<DeviceStatus, DeviceStatus[]>> = {
  throttled: ['producing'],
  starting: ['standby', 'producing'],
  sleeping: ['standby', 'off'],
};

/** The status the profile can express: the one given, else its nearest fallback, else none. */
export function expressibleStatus(
  profile: Profile,
  status: DeviceStatus | undefined,
): DeviceStatus | undefined {
  const map = profile.points.status?.map;
  if (status === undefined || map === undefined) return status;
  const codes = new Set(Object.values(map));
  return [status, ...(STATUS_FALLBACK[status] ?? [])].find((s) => codes.has(s));
}

/** An imager for a register-map profile (not SunSpec, which is discovered). */
export function profileImager(profile: Profile): Imager {
  const constants = profile.constants;
  return (values: SimValues) => {
    const status = expressibleStatus(profile, values.status);
    const merged: SimValues = { ...values, status };
    // Constants are what the gateway assumes anyway; keep the encoder from writing conflicting values.
    for (const key of Object.keys(constants)) delete (merged as Record<string, unknown>)[key];
    if (status === undefined) delete merged.status;
    const image = encodeReading(profile, merged);
    const ranges = [
      profile.frequency,
      profile.identify && {
        function: profile.identify.function,
        start: profile.identify.address,
        count: profile.identify.size,
      },
    ];
    for (const range of ranges) {
      if (range) fillRange(tableFor(image, range.function), wireAddress(profile, range.start), range.count);
    }
    applyIdentify(profile, image);
    return image;
  };
}

/** Makes `--profile auto` recognise the device: the identify registers hold what the profile expects. */
function applyIdentify(profile: Profile, image: RegisterImage): void {
  const identify = profile.identify;
  if (!identify) return;
  const table = tableFor(image, identify.function);
  const start = wireAddress(profile, identify.address);
  identify.equals?.forEach((word, i) => table.set(start + i, word));
  if (identify.oneOf !== undefined) table.set(start, identify.oneOf[0]!);
  if (identify.contains !== undefined) {
    const words = Array.from({ length: identify.size }, (_, i) => table.get(start + i) ?? 0);
    const text = words.map((w) => String.fromCharCode(w >> 8, w & 0xff)).join('');
    if (text.includes(identify.contains)) return;
    const wanted = identify.contains.padEnd(identify.size * 2, '\0');
    for (let i = 0; i < identify.size; i++) {
      table.set(start + i, (wanted.charCodeAt(2 * i) << 8) | wanted.charCodeAt(2 * i + 1));
    }
  }
}
