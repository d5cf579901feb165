/**
 * Home Assistant MQTT discovery: one HA device per gateway device, one sensor per canonical field the
 * device has reported (HA_SENSORS), each reading its value from the retained reading topic through a
 * template. Config topics: `<discoveryPrefix>/sensor/<node>/<object>/config` (retained).
 *
 * A sensor is available only while both the gateway (status topic, last will) and its device (the
 * per-device availability topic, offline while the device fails or its reading is stale) are online;
 * `expire_after` makes HA drop a value the gateway could not replace in time.
 */
import type { Reading } from '../../core/reading.ts';
import { HA_SENSORS } from './home-assistant-sensors.ts';

export { HA_SENSORS, type SensorSpec } from './home-assistant-sensors.ts';

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
  /** Gateway status topic (online/offline, last will). */
  availabilityTopic: string;
  /** The device's own availability topic (online/offline). */
  deviceAvailabilityTopic: string;
  /** Seconds after which HA marks a value unavailable when no new one arrived (expire_after). */
  expireAfterS: number;
}

/** HA allows only [a-zA-Z0-9_-] in node and object ids. */
export function haId(text: string): string {
  return text.replace(/[^a-zA-Z0-9_-]/g, '_');
}

/** The discovery node id of one device of one gateway. */
export function haNode(serial: string, device: string): string {
  return haId(`egw_${serial}_${device}`);
}

/**
 * The value template of a field: the value, or `None` when the reading lacks it — HA's MQTT sensor
 * turns "None" into unknown, where an empty string would be an invalid number and keep the old value.
 */
export function valueTemplate(field: string): string {
  return `{{ value_json.${field} if value_json.${field} is defined else None }}`;
}

/** The config topics a device's sensors use, for the given fields (also what a delete must clear). */
export function discoveryTopic(discoveryPrefix: string, node: string, object: string): string {
  return `${discoveryPrefix}/sensor/${node}/${object}/config`;
}

/**
 * The discovery messages for one device: a sensor for every field in `fields` (the fields its readings
 * have carried), described by the identity of `reading`.
 */
export function discoveryMessages(
  reading: Reading,
  ctx: DiscoveryContext,
  fields: ReadonlySet<string> = new Set(Object.keys(reading)),
): DiscoveryMessage[] {
  const node = haNode(ctx.serial, reading.device);
  const label = [reading.make, reading.model].filter(Boolean).join(' ') || reading.profile;
  const device: Record<string, unknown> = {
    identifiers: [node],
    name: `${label} (${reading.device})`,
    manufacturer: reading.make ?? 'unknown',
    model: reading.model ?? reading.profile,
  };
  if (reading.serial) device.serial_number = reading.serial;
  return HA_SENSORS.filter((s) => fields.has(s.field)).map((s) => ({
    topic: discoveryTopic(ctx.discoveryPrefix, node, s.object),
    payload: {
      name: s.name,
      unique_id: `${node}_${s.object}`,
      object_id: `${node}_${s.object}`,
      state_topic: ctx.stateTopic,
      value_template: valueTemplate(s.field),
      device_class: s.deviceClass,
      state_class: s.stateClass,
      unit_of_measurement: s.unit,
      availability: [
        { topic: ctx.availabilityTopic, payload_available: 'online', payload_not_available: 'offline' },
        {
          topic: ctx.deviceAvailabilityTopic,
          payload_available: 'online',
          payload_not_available: 'offline',
        },
      ],
      availability_mode: 'all',
      expire_after: ctx.expireAfterS,
      device,
    },
  }));
}
