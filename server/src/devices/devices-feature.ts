/**
 * The devices module: loads the profiles, opens every configured device's reader and starts its
 * frequency and harvest tasks (the registry); rebuilds the tasks when the harvest settings change.
 * Stopping it is the first step of the drain after the API closed: no new runs, in-flight reads
 * finish (their harvests still reach the batcher), then the tasks stop and the readers close.
 */
import type { Clock } from '../core/clock.ts';
import { EgwError } from '../core/errors.ts';
import type { EventBus } from '../core/event-bus.ts';
import type { Feature } from '../core/feature.ts';
import type { Logger } from '../core/logger.ts';
import type { Reading } from '../core/reading.ts';
import type { Config, DeviceConfig } from '../config/schema.ts';
import type { PersistentSettingsStore, SettingsTable } from '../config/settings-store.ts';
import type { TaskEngine } from '../engine/task.ts';
import { ProfileRegistry } from '../profiles/profile-registry.ts';
import { DevicePipeline } from './device-pipeline.ts';
import type { DeviceInfo } from './device-info.ts';
import type { DeviceReader } from './device-reader.ts';
import { DeviceRegistry, readDevicesOverlay } from './device-registry.ts';

/** How long stop() lets in-flight reads finish before aborting them, ms. */
export const DRAIN_DEADLINE_MS = 3000;

export interface DevicesFeatureOptions {
  config: Config;
  engine: TaskEngine;
  clock: Clock;
  bus: EventBus;
  logger: Logger;
  /** Runtime settings and the table the API's device overlay is kept in (open once delivery started). */
  settings: () => PersistentSettingsStore;
  table: () => SettingsTable;
  /** Opens a device reader over the loaded profiles. */
  openReader: (config: DeviceConfig, profiles: ProfileRegistry) => Promise<DeviceReader> | DeviceReader;
  /** Every harvest reading (the batcher). */
  onHarvest: (reading: Reading) => void;
}

export class DevicesFeature implements Feature {
  readonly name = 'devices';
  private readonly options: DevicesFeatureOptions;
  private started: DeviceRegistry | undefined;
  /** Set once every device opened: only then does stop() drain the engine (as a failed start did not). */
  private running = false;
  private unsubscribe: (() => void) | undefined;

  constructor(options: DevicesFeatureOptions) {
    this.options = options;
  }

  /** The running registry (after start). */
  get registry(): DeviceRegistry {
    if (!this.started) throw new EgwError('not_started', 'the devices module has not started');
    return this.started;
  }

  /** The devices as the API shows them (none before start). */
  list(): DeviceInfo[] {
    return this.started?.list() ?? [];
  }

  /**
   * Ids of the configured devices; before start (the uplinks start first) the ones the config file
   * and the API overlay name, so Home Assistant discovery never takes our devices for stale ones.
   */
  ids(): readonly string[] {
    if (this.started) return this.started.list().map((d) => d.config.id);
    const overlay = readDevicesOverlay(this.options.table());
    const removed = new Set(overlay.removed);
    const configured = this.options.config.devices.filter((d) => !removed.has(d.id)).map((d) => d.id);
    return [...configured, ...overlay.added.map((d) => d.id)];
  }

  async start(): Promise<void> {
    const { config, engine, clock, bus, logger, settings } = this.options;
    const profiles = ProfileRegistry.load(config.profilesDir ? { extraDir: config.profilesDir } : {});
    this.started = new DeviceRegistry({
      configDevices: config.devices,
      profiles,
      table: this.options.table(),
      bus,
      logger: logger.child({ area: 'devices' }),
      openReader: (device) => this.options.openReader(device, profiles),
      createPipeline: (reader, slot) => {
        const { intervalMs, frequencyHz } = settings().get().harvest;
        return new DevicePipeline({
          reader,
          engine,
          clock,
          bus,
          logger: logger.child({ area: 'harvest' }),
          harvestIntervalMs: intervalMs,
          frequencyHz,
          phaseMs: spreadPhaseMs(slot, frequencyHz > 0 ? 1000 / frequencyHz : intervalMs),
          onHarvest: this.options.onHarvest,
        });
      },
      // The proxy's code loads only on a box that has a device with proxyPort.
      openProxy: async (device, reader, pipeline) => {
        if (!('proxyPort' in device) || device.proxyPort === undefined) return undefined;
        const { openDeviceProxy } = await import('./open-device-proxy.ts');
        return openDeviceProxy(device, reader, pipeline, {
          clock,
          logger,
          harvestIntervalMs: () => settings().get().harvest.intervalMs,
        });
      },
    });
    await this.started.start();
    const registry = this.started;
    this.unsubscribe = settings().onChange((next, previous) => {
      const a = next.harvest;
      const b = previous.harvest;
      if (a.intervalMs !== b.intervalMs || a.frequencyHz !== b.frequencyHz) registry.restartTasks();
    });
    this.running = true;
  }

  /** No new runs; in-flight reads finish (up to DRAIN_DEADLINE_MS); then the tasks stop, the readers close. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    // Cancelling the tasks first would abort the reads in flight and lose their harvests.
    if (this.running) await this.options.engine.stop(DRAIN_DEADLINE_MS);
    this.running = false;
    await this.started?.close();
  }
}

/**
 * Spreads devices over the sampling period (golden-ratio sequence) so 32 devices do not all start a
 * read in the same millisecond; any number of devices stays evenly spread.
 */
export function spreadPhaseMs(slot: number, periodMs: number): number {
  return Math.round(((slot * 0.6180339887) % 1) * periodMs);
}
