/**
 * The MQTT topic tree under a prefix (default `egw/<serial>`): `…/status` (retained online/offline,
 * last will), `…/<device>/reading` (retained latest reading), `…/<device>/availability` (retained
 * online/offline of the device), `…/<device>/frequency` (10 Hz samples), `…/batch` (signed JWT, QoS 1),
 * `…/notifications` (retained active notifications).
 */
import { ConfigError } from '../../core/errors.ts';

/** Payloads of the status topic. */
export const STATUS_ONLINE = 'online';
export const STATUS_OFFLINE = 'offline';

/** Topic names of one gateway. */
export class MqttTopics {
  readonly prefix: string;
  /** @param prefix topic prefix without a trailing slash, e.g. "egw/EGW-3F9A…". */
  constructor(prefix: string) {
    this.prefix = prefix;
    if (!prefix || /[#+]/.test(prefix) || prefix.endsWith('/')) {
      throw new ConfigError(
        `mqtt prefix "${prefix}": must be non-empty, without wildcards or a trailing "/"`,
        'mqtt.prefix',
      );
    }
  }

  /** Default prefix for a gateway serial. */
  static defaultPrefix(serial: string): string {
    return `egw/${serial}`;
  }

  get status(): string {
    return `${this.prefix}/status`;
  }

  /** Retained `{"active": [...]}` of the gateway's active notifications. */
  get notifications(): string {
    return `${this.prefix}/notifications`;
  }

  get batch(): string {
    return `${this.prefix}/batch`;
  }

  reading(device: string): string {
    return `${this.prefix}/${device}/reading`;
  }

  /** Retained `online`/`offline` of one device (offline while failing or stale). */
  availability(device: string): string {
    return `${this.prefix}/${device}/availability`;
  }

  frequency(device: string): string {
    return `${this.prefix}/${device}/frequency`;
  }
}
