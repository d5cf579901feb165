/**
 * The Home Assistant sensors a reading field becomes: device class, unit and state class chosen from
 * Home Assistant's sensor rules (energy: Wh with total_increasing, so the Energy dashboard accepts grid
 * import/export, solar production and battery charge/discharge; power, voltage, … measurement).
 */
import type { NumericField } from '../../core/reading.ts';

/** One sensor Home Assistant can create from a reading field. */
export interface SensorSpec {
  /** Object id, part of the config topic and unique_id (kept stable: HA keys its history on it). */
  object: string;
  name: string;
  field: NumericField;
  deviceClass: string;
  stateClass: 'measurement' | 'total_increasing';
  unit: string;
}

const power = (object: string, name: string, field: NumericField): SensorSpec => ({
  object,
  name,
  field,
  deviceClass: 'power',
  stateClass: 'measurement',
  unit: 'W',
});
const energy = (object: string, name: string, field: NumericField): SensorSpec => ({
  object,
  name,
  field,
  deviceClass: 'energy',
  stateClass: 'total_increasing',
  unit: 'Wh',
});
const measured = (
  object: string,
  name: string,
  field: NumericField,
  deviceClass: string,
  unit: string,
): SensorSpec => ({ object, name, field, deviceClass, stateClass: 'measurement', unit });

/** Every sensor the gateway may announce, in the order Home Assistant lists them. */
export const HA_SENSORS: readonly SensorSpec[] = [
  power('power', 'Power', 'ac_power_w'),
  energy('energy', 'Energy', 'energy_total_wh'),
  power('dc_power', 'DC power', 'dc_power_w'),
  power('grid_power', 'Grid power', 'grid_power_w'),
  energy('grid_import', 'Grid import energy', 'energy_import_wh'),
  energy('grid_export', 'Grid export energy', 'energy_export_wh'),
  energy('grid_import_t1', 'Grid import energy tariff 1', 'energy_import_t1_wh'),
  energy('grid_import_t2', 'Grid import energy tariff 2', 'energy_import_t2_wh'),
  energy('grid_export_t1', 'Grid export energy tariff 1', 'energy_export_t1_wh'),
  energy('grid_export_t2', 'Grid export energy tariff 2', 'energy_export_t2_wh'),
  power('grid_power_l1', 'Grid power L1', 'grid_power_l1_w'),
  power('grid_power_l2', 'Grid power L2', 'grid_power_l2_w'),
  power('grid_power_l3', 'Grid power L3', 'grid_power_l3_w'),
  {
    object: 'gas',
    name: 'Gas',
    field: 'gas_volume_m3',
    deviceClass: 'gas',
    stateClass: 'total_increasing',
    unit: 'm³',
  },
  power('load_power', 'Load power', 'load_power_w'),
  measured('battery_soc', 'Battery state of charge', 'battery_soc_pct', 'battery', '%'),
  power('battery_power', 'Battery power', 'battery_power_w'),
  measured('battery_voltage', 'Battery voltage', 'battery_voltage_v', 'voltage', 'V'),
  measured('battery_current', 'Battery current', 'battery_current_a', 'current', 'A'),
  measured('battery_temperature', 'Battery temperature', 'battery_temperature_c', 'temperature', '°C'),
  energy('battery_charge', 'Battery charge energy', 'energy_battery_charge_wh'),
  energy('battery_discharge', 'Battery discharge energy', 'energy_battery_discharge_wh'),
  measured('frequency', 'Grid frequency', 'grid_frequency_hz', 'frequency', 'Hz'),
  measured('voltage', 'Voltage L1', 'ac_voltage_l1_v', 'voltage', 'V'),
  measured('voltage_l2', 'Voltage L2', 'ac_voltage_l2_v', 'voltage', 'V'),
  measured('voltage_l3', 'Voltage L3', 'ac_voltage_l3_v', 'voltage', 'V'),
  measured('current_l1', 'Current L1', 'ac_current_l1_a', 'current', 'A'),
  measured('current_l2', 'Current L2', 'ac_current_l2_a', 'current', 'A'),
  measured('current_l3', 'Current L3', 'ac_current_l3_a', 'current', 'A'),
  measured('temperature', 'Temperature', 'temperature_c', 'temperature', '°C'),
];
