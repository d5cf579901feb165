/**
 * The control channel's MQTT transport: requests on `<prefix>/control/request`, answers on
 * `<prefix>/control/response` (QoS 1, not retained). Its own client, so the channel never touches the
 * uplink's publishing; mqtt.js reconnects on its own. Requests run one at a time, so a flood costs the
 * box one request's worth of work at a time and never reaches sampling; beyond a bounded queue they are
 * answered 429 unread.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { describeError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';

/** Largest request accepted for parsing, bytes; a larger one is answered as malformed. */
export const MAX_CONTROL_REQUEST_BYTES = 65_536;
/** Requests waiting to run beyond which new ones are answered 429. */
export const MAX_PENDING_CONTROL_REQUESTS = 64;

/** Handles one raw request; resolves the answer to publish. */
export interface ControlHandler {
  handle(raw: string): Promise<string>;
  /** The answer to a request refused unread (queue full). */
  busy(): string;
}

export interface MqttControlLinkOptions {
  url: string;
  username?: string;
  password?: string;
  /** Topic prefix without trailing slash, e.g. "egw/EGW-3F9A…". */
  prefix: string;
  clientId: string;
  handler: ControlHandler;
  logger: Logger;
}

/** Subscribes to requests and publishes answers. */
export class MqttControlLink {
  readonly requestTopic: string;
  readonly responseTopic: string;
  readonly #options: MqttControlLinkOptions;
  #client: MqttClient | undefined;
  #queue: Promise<void> = Promise.resolve();
  #pending = 0;

  constructor(options: MqttControlLinkOptions) {
    this.#options = options;
    this.requestTopic = `${options.prefix}/control/request`;
    this.responseTopic = `${options.prefix}/control/response`;
  }

  /** Connects (in the background: the box works offline) and subscribes on every connect. */
  start(): void {
    const o = this.#options;
    const client = mqtt.connect(o.url, {
      clientId: o.clientId,
      reconnectPeriod: 5000,
      connectTimeout: 10_000,
      ...(o.username !== undefined ? { username: o.username } : {}),
      ...(o.password !== undefined ? { password: o.password } : {}),
    });
    this.#client = client;
    client.on('connect', () => {
      client.subscribe(this.requestTopic, { qos: 1 }, (error) => {
        if (error) o.logger.warn({ err: describeError(error) }, 'control channel: subscribe failed');
        else o.logger.info({ topic: this.requestTopic }, 'control channel listening');
      });
    });
    client.on('error', (error) =>
      o.logger.debug({ err: describeError(error) }, 'control channel: MQTT error'),
    );
    client.on('message', (topic, payload) => {
      if (topic !== this.requestTopic) return;
      if (this.#pending >= MAX_PENDING_CONTROL_REQUESTS) {
        this.#publish(o.handler.busy());
        return;
      }
      this.#pending++;
      const raw = payload.length > MAX_CONTROL_REQUEST_BYTES ? '' : payload.toString('utf8');
      this.#queue = this.#queue
        .then(() => o.handler.handle(raw))
        .then((answer) => this.#publish(answer))
        .catch((error: unknown) => o.logger.error({ err: describeError(error) }, 'control request failed'))
        .finally(() => void this.#pending--);
    });
  }

  #publish(answer: string): void {
    this.#client?.publish(this.responseTopic, answer, { qos: 1, retain: false }, (error) => {
      if (error) this.#options.logger.warn({ err: describeError(error) }, 'control answer not published');
    });
  }

  /** Lets the request in flight finish, then disconnects. */
  async stop(): Promise<void> {
    const client = this.#client;
    await this.#queue;
    this.#client = undefined;
    if (client) await client.endAsync().catch(() => undefined);
  }
}
