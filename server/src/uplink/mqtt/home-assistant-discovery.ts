/**
 * Home Assistant MQTT discovery: one HA device per inverter, one sensor per canonical field the
 * inverter reports, each reading its value from the retained reading topic through a template.
 * Config topics: `<discoveryPrefix>/sensor/<node>/<object>/config` (retained).
 */
import type { NumericField, Reading } from '../../core/reading.ts';

/** One sensor HA can create from a reading field. */
interface SensorSpec {
  object: string;
  name: string;
  field: NumericField;
  deviceClass: string;
  stateClass: 'measurement' | 'total_increasing';
  unit: string;
}

/** The sensors announced per inverter, when its readings carry the field. */
export const HA_SENSORS: readonly SensorSpec[] = [
  {
    object: 'power',
    name: 'Power',
    field: 'ac_power_w',
    deviceClass: 'power',
    stateClass: 'measurement',
    unit: 'W',
  },
  {
    object: 'energy',
    name: 'Energy',
    field: 'energy_total_wh',
    deviceClass: 'energy',
    stateClass: 'total_increasing',
    unit: 'Wh',
  },
  {
    object: 'frequency',
    name: 'Grid frequency',
    field: 'grid_frequency_hz',
    deviceClass: 'frequency',
    stateClass: 'measurement',
    unit: 'Hz',
  },
  {
    object: 'voltage',
    name: 'Voltage L1',
    field: 'ac_voltage_l1_v',
    deviceClass: 'voltage',
    stateClass: 'measurement',
    unit: 'V',
  },
  {
    object: 'temperature',
    name: 'Temperature',
    field: 'temperature_c',
    deviceClass: 'temperature',
    stateClass: 'measurement',
    unit: '°C',
  },
];

/** One retained discovery message. */
export interface DiscoveryMessage {
  topic: string;
  payload: Record<string, unknown>;
}

export interface DiscoveryContext {
  discoveryPrefix: string;
  /** Gateway serial, part of every unique_id. */
  serial: string;
  /** Retained reading topic of the device (state_topic). */
  stateTopic: string;
  /** Gateway status topic (availability_topic). */
  availabilityTopic: string;
}

/** HA allows only [a-zA-Z0-9_-] in node and object ids. */
export function haId(text: string): string {
  return text.replace(/[^a-zA-Z0-9_-]/g, '_');
}

/** The discovery messages for one inverter, for the sensors its reading has values for. */
export function discoveryMessages(reading: Reading, ctx: DiscoveryContext): DiscoveryMessage[] {
  const node = haId(`egw_${ctx.serial}_${reading.device}`);
  const label = [reading.make, reading.model].filter(Boolean).join(' ') || reading.profile;
  const device: Record<string, unknown> = {
    identifiers: [node],
    name: `${label} (${reading.device})`,
    manufacturer: reading.make ?? 'unknown',
    model: reading.model ?? reading.profile,
  };
  if (reading.serial) device.serial_number = reading.serial;
  return HA_SENSORS.filter((s) => typeof reading[s.field] === 'number').map((s) => ({
    topic: `${ctx.discoveryPrefix}/sensor/${node}/${s.object}/config`,
    payload: {
      name: s.name,
      unique_id: `${node}_${s.object}`,
      state_topic: ctx.stateTopic,
      value_template: `{{ value_json.${s.field} }}`,
      device_class: s.deviceClass,
      state_class: s.stateClass,
      unit_of_measurement: s.unit,
      availability_topic: ctx.availabilityTopic,
      payload_available: 'online',
      payload_not_available: 'offline',
      device,
    },
  }));
}
