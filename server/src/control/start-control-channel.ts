/**
 * Builds and starts the cloud control channel when `control.publicKeys` lists a backend key. Loaded
 * by the composition root with a dynamic import only then, so a box without it loads none of this.
 */
import type { Clock } from '../core/clock.ts';
import { ConfigError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Config } from '../config/schema.ts';
import type { GatewayIdentity } from '../identity/gateway-identity.ts';
import { clockUnsynchronisedReason } from '../notifications/clock-sync.ts';
import type { NotificationCenter } from '../notifications/notification-center.ts';
import type { ControlJtiStore } from '../outbox/control-jti-store.ts';
import { ControlAllowList, type ApiRouteRef } from './control-allow-list.ts';
import { ControlChannel, type ControlDispatch } from './control-channel.ts';
import { MqttControlLink } from './mqtt-control-link.ts';

export interface StartControlChannelDeps {
  config: Pick<Config, 'control' | 'notifications'>;
  /** The MQTT broker in force (settings.mqtt). */
  mqtt: Config['mqtt'];
  identity: GatewayIdentity;
  jti: ControlJtiStore;
  notifications: NotificationCenter;
  apiRoutes: readonly ApiRouteRef[];
  dispatch: ControlDispatch;
  clock: Clock;
  logger: Logger;
}

/** A started control channel. */
export interface RunningControlChannel {
  channel: ControlChannel;
  link: MqttControlLink;
  allow: ControlAllowList;
  stop(): Promise<void>;
}

/** Validates the configuration, connects and subscribes; throws ConfigError when it cannot work. */
export function startControlChannel(deps: StartControlChannelDeps): RunningControlChannel {
  const { config, mqtt, identity } = deps;
  if (!mqtt.url) {
    throw new ConfigError(
      'control.publicKeys is set but mqtt.url is not: the control channel runs over MQTT',
      'control.publicKeys',
    );
  }
  const logger = deps.logger.child({ area: 'control' });
  const allow = new ControlAllowList(deps.apiRoutes, config.control.allow);
  const syncedFile = config.notifications.clockSyncedFile;
  const channel = new ControlChannel({
    identity,
    publicKeys: config.control.publicKeys,
    allow,
    dispatch: deps.dispatch,
    claimJti: (jti, expiresAtMs, nowMs) => deps.jti.claim(jti, expiresAtMs, nowMs),
    clockProblem: (nowMs) => clockUnsynchronisedReason(nowMs, syncedFile),
    notifications: deps.notifications,
    clock: deps.clock,
    logger,
  });
  const link = new MqttControlLink({
    url: mqtt.url,
    ...(mqtt.username !== undefined ? { username: mqtt.username } : {}),
    ...(mqtt.password !== undefined ? { password: mqtt.password } : {}),
    prefix: mqtt.prefix ?? `egw/${identity.serial}`,
    clientId: `egw-control-${identity.serial}`,
    handler: channel,
    logger,
  });
  link.start();
  logger.info({ keys: config.control.publicKeys.length, allow: allow.routes.length }, 'control channel on');
  return { channel, link, allow, stop: () => link.stop() };
}
