/**
 * The MQTT uplink (mqtt.js): status with a last will, retained latest readings, 10 Hz frequency
 * samples, signed batches at QoS 1 (deliver() resolves on PUBACK), optional Home Assistant discovery.
 * Reconnects forever with exponential backoff; live data is published only while connected (never
 * queued), the retained reading of every device is republished after each reconnect.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Clock, Timer } from '../../core/clock.ts';
import { CancelledError, TimeoutError, TransportError, describeError } from '../../core/errors.ts';
import type { EventBus } from '../../core/event-bus.ts';
import type { Logger } from '../../core/logger.ts';
import type { Reading } from '../../core/reading.ts';
import { Backoff } from '../../core/backoff.ts';
import type { BatchRecord } from '../../outbox/batch-record.ts';
import type { NotificationCenter } from '../../notifications/notification-center.ts';
import type { Uplink, UplinkLink } from '../uplink.ts';
import { DeviceAvailability } from './device-availability.ts';
import { HomeAssistantAnnouncer } from './home-assistant-announcer.ts';
import { MqttTopics, STATUS_OFFLINE, STATUS_ONLINE } from './mqtt-topics.ts';

export interface MqttUplinkOptions {
  /** Broker URL, e.g. mqtt://127.0.0.1:1883 (mqtts:// and ws:// work too). */
  url: string;
  username?: string;
  password?: string;
  /** Topic prefix; default `egw/<serial>`. */
  prefix?: string;
  /** Gateway serial (client id, default prefix, HA unique ids). */
  serial: string;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  /** Publish Home Assistant discovery. */
  homeAssistant: boolean;
  /** Home Assistant discovery prefix (default "homeassistant"). */
  discoveryPrefix?: string;
  /** Reconnect delays (default 1 s doubling to 60 s, with jitter). */
  reconnect?: { initialMs: number; maxMs: number };
  /** How long deliver() waits for the PUBACK, ms (default 30 000). */
  ackTimeoutMs?: number;
  /** MQTT connect timeout, ms (default 10 000). */
  connectTimeoutMs?: number;
  /** No reading from a device for this long marks it offline (and is HA's expire_after), ms (default 30 000). */
  staleAfterMs?: number;
  /** Ids of the configured devices; lets discovery clear configs of devices deleted while offline. */
  deviceIds?: () => readonly string[];
  /** Active notifications, published retained on `<prefix>/notifications` at connect and on change. */
  notifications?: Pick<NotificationCenter, 'list' | 'onChange'>;
}

/** Longest wait for each step of stop() (goodbye message, disconnect), ms. */
const STOP_STEP_MS = 1000;

/** Delivers batches and live data to an MQTT broker. */
export class MqttUplink implements Uplink {
  readonly name = 'mqtt';
  readonly topics: MqttTopics;
  private readonly log: Logger;
  private readonly backoff: Backoff;
  private readonly availability: DeviceAvailability;
  private readonly homeAssistant: HomeAssistantAnnouncer | undefined;
  private client: MqttClient | undefined;
  private reconnectTimer: Timer | undefined;
  private stopping = false;
  private unsubscribe: (() => void)[] = [];
  private readonly latest = new Map<string, Reading>();
  private current: UplinkLink = { state: 'connecting' };
  private readonly linkListeners = new Set<(link: UplinkLink) => void>();
  /** Settle functions of deliveries waiting for their PUBACK (rejected on stop). */
  private readonly options: MqttUplinkOptions;
  private readonly pending = new Set<(error?: Error) => void>();

  constructor(options: MqttUplinkOptions) {
    this.options = options;
    this.topics = new MqttTopics(options.prefix ?? MqttTopics.defaultPrefix(options.serial));
    this.log = options.logger.child({ area: 'uplink', uplink: 'mqtt' });
    this.backoff = new Backoff(options.reconnect ?? { initialMs: 1000, maxMs: 60_000 });
    const staleAfterMs = options.staleAfterMs ?? 30_000;
    this.availability = new DeviceAvailability({
      clock: options.clock,
      staleAfterMs,
      publish: (device, availability) =>
        this.publishLive(this.topics.availability(device), availability, true, 1),
    });
    if (options.homeAssistant) {
      this.homeAssistant = new HomeAssistantAnnouncer({
        serial: options.serial,
        discoveryPrefix: options.discoveryPrefix ?? 'homeassistant',
        topics: this.topics,
        expireAfterS: Math.max(1, Math.ceil(staleAfterMs / 1000)),
        publish: (topic, payload) => this.publishLive(topic, payload, true, 1),
        ...(options.deviceIds ? { deviceIds: options.deviceIds } : {}),
      });
    }
  }

  async start(): Promise<void> {
    const { bus } = this.options;
    this.stopping = false;
    this.unsubscribe = [
      bus.on('reading', (reading) => this.onReading(reading)),
      bus.on('device-state', ({ device, state }) => {
        if (state === 'backoff') this.availability.failed(device);
      }),
      bus.on('devices-changed', ({ ids }) => this.onDevicesChanged(ids)),
      this.options.notifications?.onChange(() => this.publishNotifications()) ?? (() => {}),
      bus.on('frequency', (sample) =>
        this.publishLive(
          this.topics.frequency(sample.device),
          JSON.stringify({ ts: sample.ts, hz: sample.hz }),
          false,
        ),
      ),
    ];
    const client = mqtt.connect(this.options.url, {
      clientId: `egw-${this.options.serial}`,
      username: this.options.username,
      password: this.options.password,
      clean: true,
      // Reconnects are scheduled here with exponential backoff; mqtt.js only retries at a fixed period.
      reconnectPeriod: 0,
      connectTimeout: this.options.connectTimeoutMs ?? 10_000,
      // Live data is dropped, not queued, while offline; batches are re-sent by the outbox instead.
      queueQoSZero: false,
      will: { topic: this.topics.status, payload: Buffer.from(STATUS_OFFLINE), qos: 1, retain: true },
    });
    this.client = client;
    client.on('connect', () => this.onConnect());
    client.on('close', () => this.onClose());
    client.on('error', (error) => this.setLink(this.current.state, describeError(error)));
    client.on('message', (topic, payload) => this.onMessage(topic, payload.toString()));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.reconnectTimer?.cancel();
    this.unsubscribe.forEach((off) => off());
    this.unsubscribe = [];
    this.availability.stop();
    for (const settle of [...this.pending]) settle(new TransportError('mqtt uplink stopped'));
    const client = this.client;
    this.client = undefined;
    if (client) {
      // A clean goodbye: the broker does not send the last will on a normal disconnect. Bounded, so a
      // broker that stopped answering cannot hold the gateway's shutdown.
      if (client.connected) {
        await this.within(STOP_STEP_MS, 'mqtt-stop-offline', (done) =>
          client.publish(this.topics.status, STATUS_OFFLINE, { qos: 1, retain: true }, () => done()),
        );
      }
      const ended = await this.within(STOP_STEP_MS, 'mqtt-stop-end', (done) =>
        client.end(false, {}, () => done()),
      );
      if (!ended) client.end(true);
    }
    this.setLink('stopped');
  }

  /** Runs start(done) and resolves true when done() is called within ms, false otherwise. */
  private within(ms: number, name: string, start: (done: () => void) => void): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = this.options.clock.setTimer(name, ms, () => resolve(false));
      start(() => {
        timer.cancel();
        resolve(true);
      });
    });
  }

  /** Publishes the batch's JWT at QoS 1; resolves on PUBACK. Rejects at once while disconnected. */
  deliver(batch: BatchRecord, signal?: AbortSignal): Promise<void> {
    const client = this.client;
    if (!client?.connected) {
      return Promise.reject(
        new TransportError(`mqtt ${redactUrl(this.options.url)}: not connected`, { field: 'mqtt.url' }),
      );
    }
    return new Promise<void>((resolve, reject) => {
      const ackTimeoutMs = this.options.ackTimeoutMs ?? 30_000;
      let settled = false;
      const settle = (error?: Error): void => {
        if (settled) return;
        settled = true;
        this.pending.delete(settle);
        timer.cancel();
        signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve();
      };
      const onAbort = (): void =>
        settle(
          signal?.reason instanceof Error
            ? signal.reason
            : new CancelledError(`mqtt batch ${batch.seq}: aborted`),
        );
      const timer = this.options.clock.setTimer(`mqtt-puback:${batch.seq}`, ackTimeoutMs, () =>
        settle(new TimeoutError(`mqtt batch ${batch.seq}: no PUBACK within ${ackTimeoutMs} ms`)),
      );
      if (signal?.aborted) return onAbort();
      this.pending.add(settle);
      signal?.addEventListener('abort', onAbort, { once: true });
      client.publish(this.topics.batch, batch.jwt, { qos: 1, retain: false }, (error) =>
        settle(
          error ? new TransportError(`mqtt batch ${batch.seq}: ${error.message}`, {}, error) : undefined,
        ),
      );
    });
  }

  link(): UplinkLink {
    return { ...this.current };
  }

  onLinkChange(listener: (link: UplinkLink) => void): () => void {
    this.linkListeners.add(listener);
    return () => this.linkListeners.delete(listener);
  }

  private onConnect(): void {
    this.backoff.reset();
    this.setLink('up');
    this.log.info({ url: redactUrl(this.options.url), prefix: this.topics.prefix }, 'mqtt connected');
    this.publishLive(this.topics.status, STATUS_ONLINE, true, 1);
    this.availability.republish();
    this.publishNotifications();
    if (this.homeAssistant) {
      this.client?.subscribe(this.homeAssistant.subscriptions(), { qos: 1 });
      this.homeAssistant.connected();
    }
    for (const reading of this.latest.values()) {
      this.publishLive(this.topics.reading(reading.device), JSON.stringify(reading), true);
    }
  }

  private onClose(): void {
    if (this.stopping) return;
    const delayMs = Math.round(this.backoff.next());
    this.setLink('down', this.current.lastError ?? 'connection closed');
    this.log.warn({ delayMs, err: this.current.lastError }, 'mqtt disconnected, reconnecting');
    this.reconnectTimer?.cancel();
    this.reconnectTimer = this.options.clock.setTimer('mqtt-reconnect', delayMs, () => {
      if (!this.stopping) this.client?.reconnect();
    });
  }

  private onMessage(topic: string, payload: string): void {
    // Home Assistant's birth message (it restarted) and retained discovery configs of this gateway.
    this.homeAssistant?.message(topic, payload);
  }

  private onReading(reading: Reading): void {
    this.latest.set(reading.device, reading);
    // The reading first, so a sensor HA creates from the announcement finds its state at once.
    this.publishLive(this.topics.reading(reading.device), JSON.stringify(reading), true);
    this.availability.reading(reading.device);
    this.homeAssistant?.reading(reading);
  }

  /** A device deleted at run time: its retained reading, availability and HA configs are cleared. */
  private onDevicesChanged(ids: readonly string[]): void {
    const current = new Set(ids);
    const known = new Set([...this.latest.keys(), ...(this.homeAssistant?.known() ?? [])]);
    for (const device of known) {
      if (current.has(device)) continue;
      this.latest.delete(device);
      this.availability.remove(device);
      this.homeAssistant?.removed(device);
      this.publishLive(this.topics.reading(device), '', true, 1);
      this.publishLive(this.topics.availability(device), '', true, 1);
    }
  }

  /** The active notifications, retained, so a client that subscribes later sees what is wrong now. */
  private publishNotifications(): void {
    const list = this.options.notifications?.list();
    if (list) this.publishLive(this.topics.notifications, JSON.stringify({ active: list.active }), true, 1);
  }

  /** Publishes only while connected (live data is stale by the time a reconnect succeeds); true if sent. */
  private publishLive(topic: string, payload: string, retain: boolean, qos: 0 | 1 = 0): boolean {
    if (!this.client?.connected) return false;
    this.client.publish(topic, payload, { qos, retain });
    return true;
  }

  /** Records the link; listeners (the dispatcher) hear of changes of state only. */
  private setLink(state: UplinkLink['state'], lastError?: string): void {
    const changed = state !== this.current.state;
    const error = state === 'up' ? undefined : (lastError ?? this.current.lastError);
    this.current = { state, ...(error ? { lastError: error } : {}) };
    if (changed) for (const listener of this.linkListeners) listener(this.link());
  }
}

/** The broker URL without a password, for logs and error messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(invalid url)';
  }
}
