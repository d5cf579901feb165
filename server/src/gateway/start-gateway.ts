/**
 * The gateway's wiring: data directory → identity and API token → the feature modules, started in
 * this order and stopped in reverse (the drain order is the list order):
 *   observability (metrics read the other modules) → delivery (outbox + settings, dispatcher, uplinks)
 *   → notifications (their sources) → harvest (batcher) → devices (readers and their tasks) → api.
 * Stopping: the API closes; the devices drain (no new runs, in-flight reads finish, readers close);
 * the harvest seals the partial batches; delivery gives the uplinks a moment, stops them, closes the
 * outbox; the metrics stop listening. Constructors only assign; every module opens in start().
 */
import { join } from 'node:path';
import type { Clock } from '../core/clock.ts';
import { EventBus } from '../core/event-bus.ts';
import { ConfigError, describeError, EgwError } from '../core/errors.ts';
import type { GatewayIdentity } from '../identity/gateway-identity.ts';
import type { Pkcs11Identity } from '../identity/pkcs11-key.ts';
import type { Logger } from '../core/logger.ts';
import { LogLevels } from '../core/log-levels.ts';
import { PACKAGE_VERSION } from '../core/package-version.ts';
import type { Config, DeviceConfig } from '../config/schema.ts';
import { prepareDataDir, tightenDataDir } from '../config/data-dir.ts';
import { API_SOCKET_FILE, loadOrCreateApiToken } from '../config/gateway-secrets.ts';
import type { Settings } from '../config/settings.ts';
import type { DeviceReader } from '../devices/device-reader.ts';
import type { DeviceRegistry } from '../devices/device-registry.ts';
import { DevicesFeature } from '../devices/devices-feature.ts';
import type { TaskEngine } from '../engine/task.ts';
import { Batcher } from '../harvest/batcher.ts';
import { HarvestFeature } from '../harvest/harvest-feature.ts';
import { loadOrCreateDeviceKey } from '../identity/device-key.ts';
import { refuseLostIdentity } from '../identity/identity-check.ts';
import type { ModbusObserver } from '../modbus/modbus-observer.ts';
import { BleLogLevels } from '../notifications/ble-log-levels.ts';
import { GatewayState } from '../notifications/gateway-state.ts';
import { NotificationCenter } from '../notifications/notification-center.ts';
import { registerNotificationGauge } from '../notifications/notification-metrics.ts';
import { NotificationSources } from '../notifications/notification-sources.ts';
import { createMetrics, type GatewayMetrics } from '../observability/metrics.ts';
import { Observability } from '../observability/observability.ts';
import type { Outbox } from '../outbox/outbox.ts';
import type { ProfileRegistry } from '../profiles/profile-registry.ts';
import { Delivery } from '../uplink/delivery.ts';
import type { Uplink } from '../uplink/uplink.ts';
import type { WifiManager } from '../wifi/wifi-manager.ts';
import { ApiFeature } from '../api/api-feature.ts';
import type { GatewayServices } from '../api/gateway-port.ts';
import { runInProcess } from '../api/in-process-request.ts';
import type { Feature } from '../core/feature.ts';
import { Gateway } from './gateway.ts';

/** What the composition root hands over. */
export interface GatewayContext {
  config: Config;
  clock: Clock;
  logger: Logger;
  engine: TaskEngine;
  /**
   * The metrics the engine was built with (main.ts builds them first and hands their task observer to
   * the Scheduler); without them the gateway builds its own, which then see no task runs.
   */
  metrics?: GatewayMetrics;
  /** Run-time log levels, made on the root logger before anything made a child (main.ts); else made here. */
  logLevels?: LogLevels;
}

/** The production parts, chosen by build-gateway.ts; tests may replace them. */
export interface GatewayParts {
  /** Opens a device reader (the Modbus reader over the loaded profiles). */
  openReader: (
    config: DeviceConfig,
    deps: { profiles: ProfileRegistry; observer: ModbusObserver; dataDir: string },
  ) => Promise<DeviceReader> | DeviceReader;
  /** The uplinks the settings enable (HTTP ingest when ingest.url is set, MQTT when mqtt.url is). */
  createUplinks: (
    settings: Settings,
    deps: {
      serial: string;
      bus: EventBus;
      deviceIds: () => readonly string[];
      notifications: NotificationCenter;
    },
  ) => Promise<Uplink[]>;
  wifi: WifiManager;
  /** Serve the web API (default true; the bench and some tests run without it). */
  api?: boolean;
}

/** A started gateway. */
export interface RunningGateway {
  dataDir: string;
  serial: string;
  apiToken: string;
  bus: EventBus;
  devices: DeviceRegistry;
  outbox: Outbox;
  notifications: NotificationCenter;
  services: GatewayServices;
  /** Port the web API listens on (undefined without API). */
  httpPort?: number;
  /** Drains and stops everything; idempotent. */
  stop(): Promise<void>;
}

/** Builds the modules and starts them. On a start-up failure, what was started is stopped again. */
export async function startGateway(ctx: GatewayContext, parts: GatewayParts): Promise<RunningGateway> {
  const { config, clock, engine } = ctx;
  const logLevels = ctx.logLevels ?? new LogLevels(ctx.logger, clock);
  const logger = ctx.logger.child({ area: 'gateway' });
  const dataDir = prepareDataDir(config.dataDir);
  const looseMode = tightenDataDir(dataDir);
  if (looseMode !== undefined) {
    logger.warn(
      { dataDir, was: looseMode.toString(8), now: '700' },
      'data directory was readable by other users; restricted it to its owner',
    );
  }
  const identity = await openIdentity(config, dataDir, logger);
  const apiToken = loadOrCreateApiToken(dataDir);
  const bus = new EventBus((event, error) =>
    logger.error({ event, err: describeError(error) }, 'event listener failed'),
  );
  const metrics = ctx.metrics ?? createMetrics();
  const notifications = new NotificationCenter({
    clock,
    historySize: config.notifications.historySize,
    onListenerError: (error) => logger.error({ err: describeError(error) }, 'notification listener failed'),
  });
  registerNotificationGauge(metrics.registry, notifications);

  const delivery: Delivery = new Delivery({
    config,
    dataDir,
    identity,
    bus,
    clock,
    logger: ctx.logger,
    notifications,
    createUplinks: (settings) =>
      parts.createUplinks(settings, {
        serial: identity.serial,
        bus,
        deviceIds: () => devices.ids(),
        notifications,
      }),
  });
  const sources = new NotificationSources({
    center: notifications,
    bus,
    clock,
    logger: ctx.logger.child({ area: 'notifications' }),
    dataDir,
    outbox: () => delivery.outbox.stats(),
    outboxMaxBatches: config.outbox.maxBatches,
    uplinkNames: () => delivery.states().map((u) => u.name),
    checkIntervalMs: config.notifications.checkIntervalMs,
    ...(config.notifications.clockSyncedFile
      ? { clockSyncedFile: config.notifications.clockSyncedFile }
      : {}),
  });
  const harvest = new HarvestFeature(
    new Batcher({
      sink: { append: (input) => delivery.outbox.append(input) },
      clock,
      logger: ctx.logger.child({ area: 'harvest' }),
      limits: () => delivery.settings.get().harvest,
    }),
    engine,
  );
  const devices: DevicesFeature = new DevicesFeature({
    config,
    engine,
    clock,
    bus,
    logger: ctx.logger,
    settings: () => delivery.settings,
    table: () => delivery.outbox.settings,
    openReader: (device, profiles) =>
      parts.openReader(device, { profiles, observer: metrics.modbusObserver, dataDir }),
    onHarvest: (reading) => harvest.add(reading),
  });
  let loggedState = '';
  const state = new GatewayState({
    clock,
    notifications,
    devices: () => devices.list().map((d) => ({ id: d.config.id, read: d.reading !== undefined })),
    onChange: (view) => {
      bus.emit('gateway-state', view);
      if (view.state !== loggedState)
        logger.info({ state: view.state, reasons: view.reasons.map((r) => r.code) }, 'gateway state');
      loggedState = view.state;
    },
  });
  const offState: (() => void)[] = [];
  const stateFeature: Feature = {
    name: 'state',
    start: () => {
      // Readings matter to the state only while it waits for every device's first one.
      offState.push(
        bus.on('reading', () => {
          if (state.view().state === 'starting') state.changed();
        }),
        bus.on('devices-changed', () => state.changed()),
      );
    },
    stop: () => offState.splice(0).forEach((off) => off()),
  };
  // What the API (and the metrics) see; read through the modules, which open their parts in start().
  const services: GatewayServices = {
    clock,
    logger: ctx.logger,
    bus,
    identity,
    apiToken,
    get devices() {
      return devices.registry;
    },
    get settings() {
      return delivery.settings;
    },
    engineStats: () => engine.stats(),
    outbox: {
      stats: () => delivery.outbox.stats(),
      recent: (limit, before) => delivery.outbox.recent(limit, before),
    },
    uplinks: () => delivery.states(),
    wifi: parts.wifi,
    notifications,
    logLevels,
    bleLogLevels: new BleLogLevels(dataDir, clock),
    state: () => state.view(),
    startedAtMs: clock.monotonicMs(),
    version: PACKAGE_VERSION,
  };
  const api =
    parts.api === false
      ? undefined
      : new ApiFeature(services, {
          host: config.http.host,
          port: config.http.port,
          // egw-ble forwards through it (README "Bluetooth provisioning": lock-out isolation).
          socketPath: join(dataDir, API_SOCKET_FILE),
          bodyLimitBytes: config.http.bodyLimitBytes,
          corsOrigins: config.http.corsOrigins,
          shedding: config.http.shedding,
          metrics,
          ...(config.backend.graphqlUrl ? { backendGraphqlUrl: config.backend.graphqlUrl } : {}),
        });
  const gateway = new Gateway(
    [
      // A token key's session is closed last, after everything that signs.
      ...('close' in identity
        ? [{ name: 'device-key', start: () => {}, stop: () => identity.close() } satisfies Feature]
        : []),
      new Observability(metrics, services),
      stateFeature,
      delivery,
      { name: 'notifications', start: () => sources.start(), stop: () => sources.stop() },
      { name: 'log-levels', start: () => {}, stop: () => logLevels.stop() },
      harvest,
      devices,
      ...(api ? [api] : []),
      // Stopped before the API closes: a request in flight still gets its answer.
      ...(api && config.control.publicKeys.length > 0 ? [controlFeature()] : []),
      // Started once the API listens (it advertises the port); its goodbyes go out before the API closes.
      ...(api && config.mdns.enabled ? [mdnsFeature(api, identity.serial, logger, config.mdns.name)] : []),
    ],
    logger,
  );
  /** The cloud control channel; its code (and its MQTT client) loads only on a box that trusts a backend key. */
  function controlFeature(): Feature {
    let control: { stop(): Promise<void> } | undefined;
    return {
      name: 'control',
      start: async () => {
        const server = api!.running!;
        const { startControlChannel } = await import('../control/start-control-channel.ts');
        control = startControlChannel({
          config,
          mqtt: delivery.settings.get().mqtt,
          identity,
          jti: delivery.outbox.controlJti,
          notifications,
          apiRoutes: server.routes,
          dispatch: (request) => runInProcess(server.app, { ...request, token: apiToken }),
          clock,
          logger: ctx.logger,
        });
      },
      stop: () => control?.stop(),
    };
  }
  await gateway.start();
  const httpPort = api?.port;
  logger.info(
    { serial: identity.serial, dataDir, devices: devices.registry.list().length, httpPort },
    'gateway started',
  );
  state.started();
  let stopping: Promise<void> | undefined;
  return {
    dataDir,
    serial: identity.serial,
    apiToken,
    bus,
    devices: devices.registry,
    outbox: delivery.outbox,
    notifications,
    services,
    httpPort,
    stop: () => {
      // Told first, so live-event clients hear "stopping" before the API closes.
      if (!stopping) state.stopping();
      return (stopping ??= gateway.stop().then(() => {
        logger.info('gateway stopped');
        // Not a clean stop: `egw run` must not report "clean": true when batches were lost.
        if (delivery.discardedAtStop > 0) {
          throw new EgwError(
            'held_batches_discarded',
            `${delivery.discardedAtStop} batches held in memory (the disk refused them) were lost at stop`,
          );
        }
      }));
    },
  };
}

/** The mDNS / DNS-SD advertisement of the API (bonjour-service loads only on a box that advertises). */
function mdnsFeature(api: ApiFeature, serial: string, logger: Logger, name: string | undefined): Feature {
  let advertiser: { start(): void; stop(): Promise<void> | void } | undefined;
  return {
    name: 'mdns',
    start: async () => {
      const { MdnsAdvertiser } = await import('../discovery/mdns-advertiser.ts');
      advertiser = new MdnsAdvertiser({
        name: name ?? `egw ${serial}`,
        serial,
        version: PACKAGE_VERSION,
        httpPort: api.port!,
        logger: logger.child({ area: 'mdns' }),
      });
      advertiser.start();
    },
    stop: () => advertiser?.stop(),
  };
}

/** The device key: the file key (refusing a lost one), or a PKCS#11 token key (loaded only then). */
async function openIdentity(
  config: Config,
  dataDir: string,
  logger: Logger,
): Promise<GatewayIdentity | Pkcs11Identity> {
  if (config.signing.backend !== 'pkcs11') {
    refuseLostIdentity(dataDir);
    return loadOrCreateDeviceKey(dataDir, { logger });
  }
  const token = config.signing.pkcs11;
  if (!token) throw new ConfigError('signing.backend "pkcs11" needs signing.pkcs11', 'signing.pkcs11');
  const { openPkcs11Key } = await import('../identity/pkcs11-key.ts');
  return openPkcs11Key({
    modulePath: token.module,
    tokenLabel: token.tokenLabel,
    pinFile: token.pinFile,
    keyLabel: token.keyLabel,
    logger,
  });
}
