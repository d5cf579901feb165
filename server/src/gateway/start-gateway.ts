/**
 * The gateway's wiring: data directory → identity, API token → outbox (+ settings table) → settings →
 * uplinks and dispatcher → profiles → devices with their frequency and harvest tasks → batcher → web
 * API. Constructors only assign; this function starts things in order and `stop()` drains them in
 * reverse: API closed, no new runs, in-flight harvests finished, the partial batches sealed and
 * committed, uplinks stopped, readers and the outbox closed.
 */
import { join } from 'node:path';
import type { Clock } from '../core/clock.ts';
import { describeError, EgwError } from '../core/errors.ts';
import { EventBus } from '../core/event-bus.ts';
import type { Logger } from '../core/logger.ts';
import type { Config, DeviceConfig } from '../config/schema.ts';
import { prepareDataDir, tightenDataDir } from '../config/data-dir.ts';
import type { DeviceReader } from '../devices/device-reader.ts';
import type { ModbusObserver } from '../modbus/modbus-observer.ts';
import { DeviceRegistry } from '../devices/device-registry.ts';
import type { TaskEngine } from '../engine/task.ts';
import { Batcher } from '../harvest/batcher.ts';
import { DevicePipeline } from '../devices/device-pipeline.ts';
import { createBatch } from '../identity/batch-jwt.ts';
import { loadOrCreateDeviceKey } from '../identity/device-key.ts';
import { OUTBOX_FILE, refuseLostIdentity } from '../identity/identity-check.ts';
import { SeqGuard } from '../identity/seq-guard.ts';
import { GatewayState } from '../notifications/gateway-state.ts';
import { NotificationCenter } from '../notifications/notification-center.ts';
import { registerNotificationGauge } from '../notifications/notification-metrics.ts';
import { NotificationSources } from '../notifications/notification-sources.ts';
import { Outbox } from '../outbox/outbox.ts';
import { ProfileRegistry } from '../profiles/profile-registry.ts';
import { PersistentSettingsStore } from '../config/settings-store.ts';
import { createMetrics } from '../observability/metrics.ts';
import { startApiServer } from '../api/create-api.ts';
import { runInProcess } from '../api/in-process-request.ts';
import { PACKAGE_VERSION } from '../core/package-version.ts';
import type { Uplink } from '../uplink/uplink.ts';
import { OutboxDispatcher } from '../uplink/outbox-dispatcher.ts';
import type { WifiManager } from '../wifi/wifi-manager.ts';
import { loadOrCreateApiToken, API_SOCKET_FILE } from '../config/gateway-secrets.ts';
import type { TaskObserverRelay } from './task-observer-relay.ts';
import type { GatewayServices } from '../api/gateway-port.ts';
import type { Settings } from '../config/settings.ts';

/** What the composition root hands over. */
export interface GatewayContext {
  config: Config;
  clock: Clock;
  logger: Logger;
  engine: TaskEngine;
  /** The relay the engine reports runs to (see task-observer-relay.ts); pointed at the API metrics. */
  taskObserver?: TaskObserverRelay;
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

/** How long stop() lets in-flight reads finish before aborting them, ms. */
export const DRAIN_DEADLINE_MS = 3000;
/** How long stop() waits for the uplinks to deliver the batches sealed at stop, ms. */
export const FINAL_DELIVERY_MS = 1000;

/** Builds and starts the gateway. On a start-up failure, what was opened is closed again. */
export async function startGateway(ctx: GatewayContext, parts: GatewayParts): Promise<RunningGateway> {
  const { config, clock, engine } = ctx;
  const logger = ctx.logger.child({ area: 'gateway' });
  const cleanup: (() => Promise<void> | void)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const step of cleanup.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        logger.error({ err: describeError(error) }, 'error while stopping');
      }
    }
  };
  try {
    const dataDir = prepareDataDir(config.dataDir);
    const looseMode = tightenDataDir(dataDir);
    if (looseMode !== undefined) {
      logger.warn(
        { dataDir, was: looseMode.toString(8), now: '700' },
        'data directory was readable by other users; restricted it to its owner',
      );
    }
    refuseLostIdentity(dataDir);
    const identity = loadOrCreateDeviceKey(dataDir, { logger });
    const apiToken = loadOrCreateApiToken(dataDir);
    const bus = new EventBus((event, error) =>
      logger.error({ event, err: describeError(error) }, 'event listener failed'),
    );
    const notifications = new NotificationCenter({
      clock,
      historySize: config.notifications.historySize,
      onListenerError: (error) => logger.error({ err: describeError(error) }, 'notification listener failed'),
    });
    // Set right after the outbox opened, before anything can append (see seq-guard.ts).
    const seq: { guard?: SeqGuard } = {};
    const outbox = Outbox.open(join(dataDir, OUTBOX_FILE), {
      sign: (input, n) => createBatch(identity, input, n, seq.guard?.epoch),
      reserveSeq: (n) => seq.guard?.reserve(n),
      maxBatches: config.outbox.maxBatches,
      clock,
      logger: ctx.logger.child({ area: 'outbox' }),
    });
    let discardedAtStop = 0;
    cleanup.push(() => void (discardedAtStop = outbox.close()));
    if (outbox.recovered) {
      notifications.raise({
        code: 'outbox_database_replaced',
        message: `egw.db was corrupt (${outbox.recovered.reason}); moved to ${outbox.recovered.movedTo}, a new one started`,
      });
    }
    const seqStart = SeqGuard.open(dataDir, identity.serial, outbox, logger);
    seq.guard = seqStart.guard;
    if (seqStart.start.newEpoch) {
      const { reason, fromSeq } = seqStart.start.newEpoch;
      notifications.raise({
        code: 'signing_epoch_new',
        message: `signing epoch ${seqStart.start.epoch} began at seq ${fromSeq}: ${reason}`,
      });
    }
    // The bus hears of a batch only once the outbox committed it (also for batches held and retried).
    outbox.onAppend((record) =>
      bus.emit('batch', { seq: record.seq, jwt: record.jwt, harvests: Object.keys(record.payload).length }),
    );
    const settings = new PersistentSettingsStore(config, outbox.settings, logger);
    const raiseSettingsIgnored = (): void => {
      const reason = settings.ignoredReason();
      if (reason === undefined) return;
      notifications.raise({
        code: 'settings_ignored',
        message: `settings stored through the API are ignored (${reason}); \`egw settings reset\` removes them`,
      });
    };
    raiseSettingsIgnored();
    const profiles = ProfileRegistry.load(config.profilesDir ? { extraDir: config.profilesDir } : {});

    const batcher = new Batcher({
      sink: outbox,
      clock,
      logger: ctx.logger.child({ area: 'harvest' }),
      limits: () => settings.get().harvest,
    });
    const devices = new DeviceRegistry({
      configDevices: config.devices,
      table: outbox.settings,
      bus,
      logger: ctx.logger.child({ area: 'devices' }),
      openReader: (device) => parts.openReader(device, { profiles, observer: modbusObserver, dataDir }),
      createPipeline: (reader, slot) => {
        const { intervalMs, frequencyHz } = settings.get().harvest;
        return new DevicePipeline({
          reader,
          engine,
          clock,
          bus,
          logger: ctx.logger.child({ area: 'harvest' }),
          harvestIntervalMs: intervalMs,
          frequencyHz,
          phaseMs: spreadPhaseMs(slot, frequencyHz > 0 ? 1000 / frequencyHz : intervalMs),
          onHarvest: (reading) => batcher.add(reading),
        });
      },
      // The proxy's code loads only on a box that has a device with proxyPort.
      openProxy: async (device, reader, pipeline) => {
        if (!('proxyPort' in device) || device.proxyPort === undefined) return undefined;
        const { openDeviceProxy } = await import('../devices/open-device-proxy.ts');
        return openDeviceProxy(device, reader, pipeline, {
          clock,
          logger: ctx.logger,
          harvestIntervalMs: () => settings.get().harvest.intervalMs,
        });
      },
    });
    cleanup.push(() => devices.close());
    // Uplinks follow the settings: rebuilt when the API changes ingest or mqtt.
    let dispatcher: OutboxDispatcher | undefined;
    const startUplinks = async (current: Settings): Promise<void> => {
      const uplinks = await parts.createUplinks(current, {
        serial: identity.serial,
        bus,
        deviceIds: () => devices.list().map((d) => d.config.id),
        notifications,
      });
      dispatcher = new OutboxDispatcher({
        outbox,
        uplinks,
        clock,
        bus,
        logger: ctx.logger.child({ area: 'uplink' }),
      });
      await dispatcher.start();
      logger.info(
        { uplinks: uplinks.map((u) => u.name) },
        uplinks.length ? 'uplinks started' : 'local outbox only',
      );
    };
    let uplinkChange = Promise.resolve();
    settings.onChange((next, previous) => {
      const a = next.harvest;
      const b = previous.harvest;
      if (a.intervalMs !== b.intervalMs || a.frequencyHz !== b.frequencyHz) devices.restartTasks();
      if (JSON.stringify([next.ingest, next.mqtt]) !== JSON.stringify([previous.ingest, previous.mqtt])) {
        uplinkChange = uplinkChange
          .then(() => dispatcher?.stop())
          .then(() => startUplinks(next))
          .catch((error: unknown) => logger.error({ err: describeError(error) }, 'cannot restart uplinks'));
      }
    });

    const startedAtMs = clock.monotonicMs();
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
    // Readings matter to the state only while it waits for every device's first one.
    const offState = [
      bus.on('reading', () => {
        if (state.view().state === 'starting') state.changed();
      }),
      bus.on('devices-changed', () => state.changed()),
    ];
    cleanup.push(() => offState.forEach((off) => off()));
    const services: GatewayServices = {
      clock,
      logger: ctx.logger,
      bus,
      identity,
      apiToken,
      devices,
      settings,
      engineStats: () => engine.stats(),
      outbox: { stats: () => outbox.stats(), recent: (limit, before) => outbox.recent(limit, before) },
      uplinks: () => dispatcher?.states() ?? [],
      wifi: parts.wifi,
      notifications,
      state: () => state.view(),
      startedAtMs,
      version: PACKAGE_VERSION,
    };
    const metrics = createMetrics(services);
    cleanup.push(() => metrics.close());
    registerNotificationGauge(metrics.registry, notifications);
    if (ctx.taskObserver) {
      const relay = ctx.taskObserver;
      relay.target = metrics.taskObserver;
      cleanup.push(() => void (relay.target = undefined));
    }
    const modbusObserver = metrics.modbusObserver;

    await devices.start();
    try {
      await startUplinks(settings.get());
    } catch (error) {
      // Settings stored through the API must never keep the gateway from starting: fall back to the
      // config file and environment, which were validated before anything started.
      if (!settings.hasOverlay()) throw error;
      settings.ignoreStored(`the uplinks cannot start with them: ${describeError(error)}`);
      raiseSettingsIgnored();
      await startUplinks(settings.get());
    }
    cleanup.push(async () => {
      await uplinkChange;
      await dispatcher?.stop();
    });
    const sources = new NotificationSources({
      center: notifications,
      bus,
      clock,
      logger: ctx.logger.child({ area: 'notifications' }),
      dataDir,
      outbox: () => outbox.stats(),
      outboxMaxBatches: config.outbox.maxBatches,
      uplinkNames: () => dispatcher?.states().map((u) => u.name) ?? [],
      checkIntervalMs: config.notifications.checkIntervalMs,
      ...(config.notifications.clockSyncedFile
        ? { clockSyncedFile: config.notifications.clockSyncedFile }
        : {}),
    });
    await sources.start();
    cleanup.push(() => sources.stop());
    batcher.start(engine);
    // Drain: no new runs, in-flight reads finish (their harvests still reach the batcher), then the
    // partial batches are sealed and committed. Cancelling the tasks first would abort those reads.
    // The uplinks get a moment to deliver the last batches; what is left goes out after the restart.
    cleanup.push(async () => {
      await engine.stop(DRAIN_DEADLINE_MS);
      batcher.stop();
      devices.stopTasks();
      batcher.flush();
      if ((dispatcher?.states().length ?? 0) === 0) return;
      const deadline = clock.monotonicMs() + FINAL_DELIVERY_MS;
      while (outbox.stats().depth > 0 && clock.monotonicMs() < deadline)
        await clock.sleep(50, 'final-delivery');
    });
    let httpPort: number | undefined;
    if (parts.api !== false) {
      const api = await startApiServer(services, {
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
      httpPort = api.port;
      // Closed first on stop: no API calls (device adds, settings) while draining.
      cleanup.push(() => api.close());
      if (config.control.publicKeys.length > 0) {
        // The control channel's code (and its MQTT client) loads only on a box that trusts a backend key.
        const { startControlChannel } = await import('../control/start-control-channel.ts');
        const control = startControlChannel({
          config,
          mqtt: settings.get().mqtt,
          identity,
          jti: outbox.controlJti,
          notifications,
          apiRoutes: api.routes,
          dispatch: (request) => runInProcess(api.app, { ...request, token: apiToken }),
          clock,
          logger: ctx.logger,
        });
        // Stopped before the API closes: a request in flight still gets its answer.
        cleanup.push(() => control.stop());
      }
      if (config.mdns.enabled) {
        // bonjour-service loads only on a box that advertises itself.
        const { MdnsAdvertiser } = await import('../discovery/mdns-advertiser.ts');
        const advertiser = new MdnsAdvertiser({
          name: config.mdns.name ?? `egw ${identity.serial}`,
          serial: identity.serial,
          version: PACKAGE_VERSION,
          httpPort: api.port,
          logger: logger.child({ area: 'mdns' }),
        });
        advertiser.start();
        // Goodbyes go out before the API closes.
        cleanup.push(() => advertiser.stop());
      }
    }
    logger.info(
      { serial: identity.serial, dataDir, devices: devices.list().length, httpPort },
      'gateway started',
    );
    state.started();

    let stopping: Promise<void> | undefined;
    return {
      dataDir,
      serial: identity.serial,
      apiToken,
      bus,
      devices,
      outbox,
      notifications,
      services,
      httpPort,
      stop: () => {
        // Told first, so live-event clients hear "stopping" before the API closes.
        if (!stopping) state.stopping();
        return (stopping ??= closeAll().then(() => {
          logger.info('gateway stopped');
          // Not a clean stop: `egw run` must not report "clean": true when batches were lost.
          if (discardedAtStop > 0) {
            throw new EgwError(
              'held_batches_discarded',
              `${discardedAtStop} batches held in memory (the disk refused them) were lost at stop`,
            );
          }
        }));
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/**
 * Spreads devices over the sampling period (golden-ratio sequence) so 32 devices do not all start a
 * read in the same millisecond; any number of devices stays evenly spread.
 */
export function spreadPhaseMs(slot: number, periodMs: number): number {
  return Math.round(((slot * 0.6180339887) % 1) * periodMs);
}
