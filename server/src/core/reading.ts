/**
 * The canonical reading: one flat object, SI units, absent fields omitted (never null or 0 for
 * "unknown"). See ../shared/DESIGN.md "Devices and the canonical reading".
 */

/** Operating state of an inverter, mapped from each vendor's codes. */
export const DEVICE_STATUSES = [
  'off',
  'sleeping',
  'starting',
  'producing',
  'throttled',
  'shutting_down',
  'fault',
  'standby',
  'unknown',
] as const;
export type DeviceStatus = (typeof DEVICE_STATUSES)[number];

/** Numeric measurement fields a profile may decode (units in the names). */
export const NUMERIC_FIELDS = [
  'ac_power_w',
  'grid_frequency_hz',
  'energy_total_wh',
  'ac_voltage_l1_v',
  'ac_voltage_l2_v',
  'ac_voltage_l3_v',
  'ac_current_l1_a',
  'ac_current_l2_a',
  'ac_current_l3_a',
  'dc_power_w',
  'pv1_voltage_v',
  'pv1_current_a',
  'pv2_voltage_v',
  'pv2_current_a',
  'pv3_voltage_v',
  'pv3_current_a',
  'pv4_voltage_v',
  'pv4_current_a',
  'temperature_c',
  'rated_power_w',
  // meters, and the internal meter of hybrids: positive = importing from the grid
  'grid_power_w',
  'grid_power_l1_w',
  'grid_power_l2_w',
  'grid_power_l3_w',
  'energy_import_wh',
  'energy_export_wh',
  // smart meters with tariffs (P1/DSMR: tariff 1 = low/night, 2 = normal/day) and a gas meter on the bus
  'energy_import_t1_wh',
  'energy_import_t2_wh',
  'energy_export_t1_wh',
  'energy_export_t2_wh',
  'gas_volume_m3',
  // batteries and hybrids (battery power and current positive = charging)
  'battery_soc_pct',
  'battery_power_w',
  'battery_voltage_v',
  'battery_current_a',
  'battery_temperature_c',
  'energy_battery_charge_wh',
  'energy_battery_discharge_wh',
  'load_power_w',
] as const;
export type NumericField = (typeof NUMERIC_FIELDS)[number];

/** Text identity fields a profile may decode. */
export const TEXT_FIELDS = ['make', 'model', 'serial'] as const;
export type TextField = (typeof TEXT_FIELDS)[number];

/** Every field a profile point may target. */
export type CanonicalField = NumericField | TextField | 'status';

/** Frequency statistics over a harvest window, attached to each harvest. */
export interface FrequencyWindow {
  grid_frequency_min_hz?: number;
  grid_frequency_max_hz?: number;
  grid_frequency_mean_hz?: number;
  grid_frequency_samples?: number;
}

/** One canonical reading of one device. */
export type Reading = {
  device: string;
  profile: string;
  /** When the read started, ms since epoch. */
  ts: number;
  /** How long the read took, ms. */
  read_ms: number;
  status?: DeviceStatus;
} & Partial<Record<NumericField, number>> &
  Partial<Record<TextField, string>> &
  FrequencyWindow;
