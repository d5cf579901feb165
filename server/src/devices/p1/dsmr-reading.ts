/**
 * A DSMR telegram as canonical meter fields: grid power (import − export) in total and by phase,
 * import and export energy in total and by tariff, voltages, currents, and the gas meter on the
 * M-Bus (gas_volume_m3). kW and kWh become W and Wh; what the telegram lacks stays absent.
 */
import type { Reading } from '../../core/reading.ts';
import type { DsmrTelegram } from './dsmr-telegram.ts';

/** The numeric value of "001234.567*kWh" in base units (k-prefixed units × 1000), or undefined. */
export function dsmrValue(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const match = /^(-?\d+(?:\.\d+)?)(?:\*(\w+))?$/.exec(text.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  return match[2]?.startsWith('k') ? Math.round(value * 1000 * 1000) / 1000 : value;
}

const first = (t: DsmrTelegram, obis: string): number | undefined => dsmrValue(t.objects.get(obis)?.[0]);
const difference = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined && b === undefined ? undefined : (a ?? 0) - (b ?? 0);
const sum = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined && b === undefined ? undefined : (a ?? 0) + (b ?? 0);

/** Manufacturer codes of the header ("/ISK5…") of meters common on P1 ports. */
const MAKERS: Record<string, string> = {
  ISK: 'Iskra',
  KFM: 'Kaifa',
  KAM: 'Kamstrup',
  XMX: 'Landis+Gyr',
  LGB: 'Landis+Gyr',
  SAG: 'Sagemcom',
  EIT: 'Sagemcom',
  FLU: 'Fluvius',
};

/** The canonical fields of one telegram. */
export function dsmrFields(t: DsmrTelegram): Omit<Reading, 'device' | 'profile' | 'ts' | 'read_ms'> {
  const fields: Record<string, number | string | undefined> = {
    make: MAKERS[t.header.slice(0, 3).toUpperCase()],
    model: t.header || undefined,
    serial: decodeEquipmentId(t.objects.get('0-0:96.1.1')?.[0]),
    grid_power_w: difference(first(t, '1-0:1.7.0'), first(t, '1-0:2.7.0')),
    grid_power_l1_w: difference(first(t, '1-0:21.7.0'), first(t, '1-0:22.7.0')),
    grid_power_l2_w: difference(first(t, '1-0:41.7.0'), first(t, '1-0:42.7.0')),
    grid_power_l3_w: difference(first(t, '1-0:61.7.0'), first(t, '1-0:62.7.0')),
    energy_import_t1_wh: first(t, '1-0:1.8.1'),
    energy_import_t2_wh: first(t, '1-0:1.8.2'),
    energy_export_t1_wh: first(t, '1-0:2.8.1'),
    energy_export_t2_wh: first(t, '1-0:2.8.2'),
    energy_import_wh: sum(first(t, '1-0:1.8.1'), first(t, '1-0:1.8.2')),
    energy_export_wh: sum(first(t, '1-0:2.8.1'), first(t, '1-0:2.8.2')),
    ac_voltage_l1_v: first(t, '1-0:32.7.0'),
    ac_voltage_l2_v: first(t, '1-0:52.7.0'),
    ac_voltage_l3_v: first(t, '1-0:72.7.0'),
    ac_current_l1_a: first(t, '1-0:31.7.0'),
    ac_current_l2_a: first(t, '1-0:51.7.0'),
    ac_current_l3_a: first(t, '1-0:71.7.0'),
    // Gas on M-Bus channel 1 (DSMR 4/5): "0-1:24.2.1(timestamp)(01234.567*m3)".
    gas_volume_m3: dsmrValue(t.objects.get('0-1:24.2.1')?.[1]),
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Omit<
    Reading,
    'device' | 'profile' | 'ts' | 'read_ms'
  >;
}

/** The equipment identifier is sent as hex-encoded ASCII. */
function decodeEquipmentId(hex: string | undefined): string | undefined {
  if (!hex || !/^([0-9A-Fa-f]{2})+$/.test(hex)) return hex || undefined;
  return Buffer.from(hex, 'hex').toString('latin1');
}
