/**
 * Keeps Home Assistant's view of the gateway's devices right: announces each device's sensors (again
 * after a reconnect or when HA restarts, and when a device reports a new field), announces only
 * devices that still exist, and clears a deleted device's retained configs — also configs left on the
 * broker by a device deleted while the gateway was offline or not running.
 */
import type { Reading } from '../../core/reading.ts';
import {
  HA_SENSORS,
  discoveryMessages,
  discoveryTopic,
  haNode,
  type DiscoveryContext,
} from './home-assistant-discovery.ts';
import type { MqttTopics } from './mqtt-topics.ts';

export interface HomeAssistantAnnouncerOptions {
  serial: string;
  discoveryPrefix: string;
  topics: MqttTopics;
  /** expire_after of every sensor, s. */
  expireAfterS: number;
  /** Publishes a retained QoS 1 message; returns false when not connected (nothing was sent). */
  publish: (topic: string, payload: string) => boolean;
  /** Ids of the configured devices, to clear configs of devices that no longer exist (optional). */
  deviceIds?: () => readonly string[];
}

/** Announces and withdraws the Home Assistant discovery configs of the gateway's devices. */
export class HomeAssistantAnnouncer {
  private readonly options: HomeAssistantAnnouncerOptions;
  /** Per device, the latest reading (identity) and every numeric field it has carried. */
  private readonly devices = new Map<string, { reading: Reading; fields: Set<string> }>();
  /** Per device, the config topics announced since the last (re)connect. */
  private readonly announced = new Map<string, string>();
  /** Configs to clear that could not be sent while disconnected. */
  private readonly pendingClear = new Set<string>();

  constructor(options: HomeAssistantAnnouncerOptions) {
    this.options = options;
  }

  /** Topics to subscribe to: HA's birth message and the sensor configs (to sweep stale ones). */
  subscriptions(): string[] {
    const prefix = this.options.discoveryPrefix;
    return [`${prefix}/status`, ...(this.options.deviceIds ? [`${prefix}/sensor/+/+/config`] : [])];
  }

  /** After a (re)connect: clears what is pending and announces every known device again. */
  connected(): void {
    for (const topic of [...this.pendingClear])
      if (this.options.publish(topic, '')) this.pendingClear.delete(topic);
    this.reannounce();
  }

  /** A reading arrived: remembers its fields and announces the device if anything new appeared. */
  reading(reading: Reading): void {
    let entry = this.devices.get(reading.device);
    if (!entry) {
      entry = { reading, fields: new Set() };
      this.devices.set(reading.device, entry);
    }
    entry.reading = reading;
    for (const [key, value] of Object.entries(reading)) if (typeof value === 'number') entry.fields.add(key);
    this.announce(reading.device);
  }

  /** Devices HA may know: those that have read at least once. */
  known(): string[] {
    return [...this.devices.keys()];
  }

  /** A device was deleted: every config it may have announced is cleared (empty retained). */
  removed(device: string): void {
    this.devices.delete(device);
    this.announced.delete(device);
    const node = haNode(this.options.serial, device);
    for (const sensor of HA_SENSORS)
      this.clear(discoveryTopic(this.options.discoveryPrefix, node, sensor.object));
  }

  /** Handles a subscribed message; HA's birth message re-announces, a stale config is cleared. */
  message(topic: string, payload: string): void {
    const prefix = this.options.discoveryPrefix;
    if (topic === `${prefix}/status`) {
      if (payload === 'online') this.reannounce();
      return;
    }
    const ids = this.options.deviceIds;
    if (!ids || payload === '') return;
    const node = topic.slice(`${prefix}/sensor/`.length).split('/')[0];
    const ours = haNode(this.options.serial, '');
    if (!node?.startsWith(ours)) return;
    const existing = new Set(ids().map((id) => haNode(this.options.serial, id)));
    if (!existing.has(node)) this.clear(topic);
  }

  private reannounce(): void {
    this.announced.clear();
    const ids = this.options.deviceIds?.();
    for (const device of [...this.devices.keys()]) {
      if (ids && !ids.includes(device)) this.removed(device);
      else this.announce(device);
    }
  }

  private announce(device: string): void {
    const entry = this.devices.get(device);
    if (!entry) return;
    const { topics, serial, discoveryPrefix, expireAfterS } = this.options;
    const ctx: DiscoveryContext = {
      discoveryPrefix,
      serial,
      stateTopic: topics.reading(device),
      availabilityTopic: topics.status,
      deviceAvailabilityTopic: topics.availability(device),
      expireAfterS,
    };
    const messages = discoveryMessages(entry.reading, ctx, entry.fields);
    const signature = messages.map((m) => m.topic).join('\n');
    if (this.announced.get(device) === signature) return;
    let sent = true;
    for (const m of messages) sent = this.options.publish(m.topic, JSON.stringify(m.payload)) && sent;
    if (sent) this.announced.set(device, signature);
  }

  private clear(topic: string): void {
    if (!this.options.publish(topic, '')) this.pendingClear.add(topic);
  }
}
