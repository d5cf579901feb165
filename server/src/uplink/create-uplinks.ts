/**
 * The uplinks the current settings enable: HTTP ingest when `ingest.url` is set, MQTT when `mqtt.url`
 * is. With neither, batches stay in the local outbox (up to its bound). Each uplink's module (and
 * mqtt.js) is imported only when that uplink is enabled: a box without a broker never loads it.
 */
import type { Clock } from '../core/clock.ts';
import type { EventBus } from '../core/event-bus.ts';
import type { Logger } from '../core/logger.ts';
import type { NotificationCenter } from '../notifications/notification-center.ts';
import type { Uplink } from './uplink.ts';
import type { Settings } from '../config/settings.ts';

/** What building an uplink needs besides the settings. */
export interface UplinkDeps {
  serial: string;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  /** Ids of the configured devices (Home Assistant discovery clears configs of the others). */
  deviceIds?: () => readonly string[];
  /** Published retained on `<prefix>/notifications` by the MQTT uplink. */
  notifications?: NotificationCenter;
}

/** Builds the enabled uplinks (not started; the dispatcher starts them). */
export async function createUplinks(settings: Settings, deps: UplinkDeps): Promise<Uplink[]> {
  const uplinks: Uplink[] = [];
  if (settings.ingest.url) {
    const { HttpUplink } = await import('./http/http-uplink.ts');
    uplinks.push(
      new HttpUplink({
        url: settings.ingest.url,
        timeoutMs: settings.ingest.timeoutMs,
        clock: deps.clock,
        serial: deps.serial,
      }),
    );
  }
  const { mqtt } = settings;
  if (mqtt.url) {
    const { MqttUplink } = await import('./mqtt/mqtt-uplink.ts');
    uplinks.push(
      new MqttUplink({
        url: mqtt.url,
        ...(mqtt.username !== undefined ? { username: mqtt.username } : {}),
        ...(mqtt.password !== undefined ? { password: mqtt.password } : {}),
        ...(mqtt.prefix !== undefined ? { prefix: mqtt.prefix } : {}),
        serial: deps.serial,
        bus: deps.bus,
        clock: deps.clock,
        logger: deps.logger,
        homeAssistant: mqtt.homeAssistant,
        discoveryPrefix: mqtt.discoveryPrefix,
        staleAfterMs: mqtt.staleAfterMs ?? Math.max(3 * settings.harvest.intervalMs, 3000),
        ...(deps.deviceIds ? { deviceIds: deps.deviceIds } : {}),
        ...(deps.notifications ? { notifications: deps.notifications } : {}),
      }),
    );
  }
  return uplinks;
}
