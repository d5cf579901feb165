/**
 * The devices the gateway reads (GatewayServices.devices): those of the config file plus those added
 * through the API. API changes are persisted in the settings table as an overlay ({added, removed}),
 * so they survive restarts and a config-file device removed through the API stays removed. Adding a
 * device opens its reader and starts its frequency and harvest tasks; removing one stops them.
 */
import { freeDeviceId } from '../config/device-id.ts';
import { DeviceConfigSchema, type DeviceConfig, type ParsedDeviceConfig } from '../config/schema.ts';
import { ConfigError, describeError, ValidationError } from '../core/errors.ts';
import type { EventBus } from '../core/event-bus.ts';
import type { Logger } from '../core/logger.ts';
import type { DeviceCaptures, DeviceInfo, DeviceRegistry as DeviceRegistryContract } from './device-info.ts';
import type { FrequencySnapshot } from '../harvest/frequency-sampler.ts';
import type { PowerSnapshot } from '../harvest/power-history.ts';
import type { DevicePipeline } from './device-pipeline.ts';
import type { ProxyStats } from '../proxy/modbus-proxy.ts';
import type { SettingsTable } from '../config/settings-store.ts';
import type { DeviceReader } from './device-reader.ts';
import type { ProfileRegistry } from '../profiles/profile-registry.ts';
import { withProfileDefaults } from './profile-defaults.ts';

/** Key of the API overlay in the settings table. */
export const DEVICES_KEY = 'devices.api';

/** Devices added and removed through the API, on top of the config file's. */
export interface DevicesOverlay {
  added: DeviceConfig[];
  removed: string[];
}

/** The API overlay as stored in the settings table (empty when none is). */
export function readDevicesOverlay(table: SettingsTable): DevicesOverlay {
  const stored = table.get(DEVICES_KEY) as Partial<DevicesOverlay> | undefined;
  return { added: stored?.added ?? [], removed: stored?.removed ?? [] };
}

export interface DeviceRegistryOptions {
  /** Devices of the config file (already validated; unit and port may be left to the profile). */
  configDevices: ParsedDeviceConfig[];
  /** The profiles whose transport defaults fill a device's absent unit and port (else 1 and 502). */
  profiles?: ProfileRegistry;
  table: SettingsTable;
  bus: EventBus;
  logger: Logger;
  /** Opens a reader for a device (throws on an unknown profile or a bad address). */
  openReader: (config: DeviceConfig) => Promise<DeviceReader> | DeviceReader;
  /** Builds the (not yet started) pipeline of a reader; `slot` spreads devices' phases. */
  createPipeline: (reader: DeviceReader, slot: number) => DevicePipeline;
  /** Starts a device's Modbus proxy when its config asks for one (`proxyPort`). */
  openProxy?: (
    config: DeviceConfig,
    reader: DeviceReader,
    pipeline: () => DevicePipeline | undefined,
  ) => Promise<DeviceProxy | undefined>;
}

/** A running proxy of one device, as the registry sees it. */
export interface DeviceProxy {
  stats(): ProxyStats;
  stop(): Promise<void>;
}

interface Entry {
  config: DeviceConfig;
  reader: DeviceReader;
  pipeline: DevicePipeline;
  slot: number;
  proxy?: DeviceProxy;
}

/** Runtime device registry. */
export class DeviceRegistry implements DeviceRegistryContract {
  private readonly entries = new Map<string, Entry>();
  private overlay: DevicesOverlay;
  private nextSlot = 0;
  /** Serialises add/remove so two API calls cannot race on ids or the overlay. */
  private readonly options: DeviceRegistryOptions;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: DeviceRegistryOptions) {
    this.options = options;
    this.overlay = readDevicesOverlay(options.table);
  }

  /** Opens and starts every configured device. A config-file device that cannot be opened stops start-up. */
  async start(): Promise<void> {
    const removed = new Set(this.overlay.removed);
    const ids = new Set<string>();
    for (const config of this.options.configDevices) {
      // loadConfig refuses these already; a caller that built its config by hand gets the same words.
      if (ids.has(config.id)) {
        throw new ConfigError(`device id "${config.id}" is used twice; ids must be unique`, 'devices');
      }
      ids.add(config.id);
      if (removed.has(config.id)) continue;
      try {
        await this.open(withProfileDefaults(config, this.options.profiles));
      } catch (error) {
        throw new ConfigError(`device ${config.id}: ${describeError(error)}`, `devices.${config.id}`, error);
      }
    }
    for (const stored of this.overlay.added) {
      const parsed = DeviceConfigSchema.safeParse(stored);
      if (!parsed.success || this.entries.has(parsed.data.id)) {
        this.options.logger.warn(
          { device: stored.id },
          parsed.success
            ? 'ignoring a stored API device: its id is taken by a config-file device'
            : 'ignoring a stored API device that no longer validates',
        );
        continue;
      }
      try {
        await this.open(withProfileDefaults(parsed.data, this.options.profiles));
      } catch (error) {
        this.options.logger.error({ device: stored.id, err: describeError(error) }, 'cannot open API device');
      }
    }
    this.changed();
  }

  list(): DeviceInfo[] {
    return [...this.entries.values()].map((e) => this.info(e));
  }

  get(id: string): DeviceInfo | undefined {
    const entry = this.entries.get(id);
    return entry && this.info(entry);
  }

  frequency(id: string): FrequencySnapshot | undefined {
    return this.entries.get(id)?.pipeline.sampler.snapshot();
  }

  power(id: string): PowerSnapshot | undefined {
    return this.entries.get(id)?.pipeline.power.snapshot();
  }

  captures(id: string): DeviceCaptures | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    const lastPoll = entry.reader.lastPoll?.();
    return {
      device: id,
      captures: entry.reader.registerCaptures?.() ?? [],
      ...(lastPoll ? { lastPoll } : {}),
    };
  }

  add(config: ParsedDeviceConfig): Promise<DeviceInfo> {
    return this.serial(async () => {
      const parsed = DeviceConfigSchema.safeParse({ ...config, id: config.id || this.generateId(config) });
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const field = issue.path.join('.') || 'device';
        throw new ValidationError(`device ${field}: ${issue.message}`, field);
      }
      const device = withProfileDefaults(parsed.data, this.options.profiles);
      if (this.entries.has(device.id)) {
        throw new ValidationError(`device id "${device.id}" is already configured`, 'id', 'duplicate_device');
      }
      const twin = [...this.entries.values()].find((e) => sameEndpoint(e.config, device));
      if (twin) {
        throw new ValidationError(
          `device ${device.id}: ${describeEndpoint(device)} is already read as "${twin.config.id}"`,
          device.type === 'rtu' || device.type === 'p1' ? 'path' : 'host',
          'duplicate_device',
        );
      }
      let entry: Entry;
      try {
        entry = await this.open(device);
      } catch (error) {
        throw new ValidationError(`device ${device.id}: ${describeError(error)}`, 'profile');
      }
      this.persist({
        added: [...this.overlay.added.filter((d) => d.id !== device.id), device],
        removed: this.overlay.removed.filter((id) => id !== device.id),
      });
      this.options.logger.info({ device: device.id }, 'device added');
      this.changed();
      return this.info(entry);
    });
  }

  remove(id: string): Promise<boolean> {
    return this.serial(async () => {
      const entry = this.entries.get(id);
      if (!entry) return false;
      this.entries.delete(id);
      entry.pipeline.stop();
      await entry.proxy?.stop();
      await entry.reader.close().catch(() => undefined);
      const fromFile = this.options.configDevices.some((d) => d.id === id);
      this.persist({
        added: this.overlay.added.filter((d) => d.id !== id),
        removed: fromFile ? [...new Set([...this.overlay.removed, id])] : this.overlay.removed,
      });
      this.options.logger.info({ device: id }, 'device removed');
      this.changed();
      return true;
    });
  }

  /** Rebuilds every device's tasks (after the harvest interval or sampling rate changed). */
  restartTasks(): void {
    for (const entry of this.entries.values()) {
      entry.pipeline.stop();
      entry.pipeline = this.options.createPipeline(entry.reader, entry.slot);
      entry.pipeline.start();
    }
  }

  /** Stops every device's tasks (first step of a drain; readers stay open). */
  stopTasks(): void {
    for (const entry of this.entries.values()) entry.pipeline.stop();
  }

  /** Stops the tasks and closes every reader. */
  async close(): Promise<void> {
    this.stopTasks();
    await Promise.allSettled([...this.entries.values()].map((e) => e.proxy?.stop()));
    await Promise.allSettled([...this.entries.values()].map((e) => e.reader.close()));
    this.entries.clear();
  }

  private async open(config: DeviceConfig): Promise<Entry> {
    const reader = await this.options.openReader(config);
    const slot = this.nextSlot++;
    const entry: Entry = { config, reader, slot, pipeline: this.options.createPipeline(reader, slot) };
    this.entries.set(config.id, entry);
    entry.pipeline.start();
    try {
      const proxy = await this.options.openProxy?.(
        config,
        reader,
        () => this.entries.get(config.id)?.pipeline,
      );
      if (proxy) entry.proxy = proxy;
    } catch (error) {
      this.entries.delete(config.id);
      entry.pipeline.stop();
      await reader.close().catch(() => undefined);
      throw new ValidationError(`device ${config.id}: proxy: ${describeError(error)}`, 'proxyPort');
    }
    return entry;
  }

  private info(entry: Entry): DeviceInfo {
    const reading = entry.pipeline.reading;
    return {
      config: entry.config,
      stats: entry.reader.stats(),
      status: entry.pipeline.status(),
      ...(entry.reader.closeBetweenPolls !== undefined
        ? { closeBetweenPolls: entry.reader.closeBetweenPolls }
        : {}),
      ...(reading ? { reading } : {}),
      ...(entry.proxy ? { proxy: entry.proxy.stats() } : {}),
    };
  }

  private generateId(config: ParsedDeviceConfig): string {
    return freeDeviceId(config.profile, (id) => this.entries.has(id));
  }

  private persist(overlay: DevicesOverlay): void {
    this.options.table.put(DEVICES_KEY, overlay);
    this.overlay = overlay;
  }

  private changed(): void {
    this.options.bus.emit('devices-changed', { ids: [...this.entries.keys()] });
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

function sameEndpoint(a: DeviceConfig, b: DeviceConfig): boolean {
  if (a.type === 'tcp' && b.type === 'tcp')
    return a.host === b.host && a.port === b.port && a.unit === b.unit;
  if (a.type === 'rtu' && b.type === 'rtu') return a.path === b.path && a.unit === b.unit;
  if (a.type === 'solarmanv5' && b.type === 'solarmanv5')
    return a.host === b.host && a.port === b.port && a.unit === b.unit;
  if (a.type === 'p1' && b.type === 'p1') return a.path === b.path;
  if (a.type === 'homewizard' && b.type === 'homewizard') return a.host === b.host && a.port === b.port;
  return false;
}

function describeEndpoint(d: DeviceConfig): string {
  if (d.type === 'rtu') return `${d.path} unit ${d.unit}`;
  if (d.type === 'p1') return d.path;
  if (d.type === 'homewizard') return `${d.host}:${d.port}`;
  return `${d.host}:${d.port} unit ${d.unit}`;
}
