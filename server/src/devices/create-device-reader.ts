/**
 * Builds the DeviceReader of one configured device: its ModbusConnection (TCP or RTU), where its
 * profile comes from (file, SunSpec discovery or identification) and the reader on top.
 */
import { isModbusDevice, type DeviceConfig, type ModbusDeviceConfig } from '../config/schema.ts';
import type { Clock } from '../core/clock.ts';
import { ConfigError, ProfileError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Backoff } from '../core/backoff.ts';
import { ModbusConnection, type ModbusTimeouts } from '../modbus/modbus-connection.ts';
import type { LinkOpener, ModbusTarget } from '../modbus/modbus-link.ts';
import type { ProfileRegistry } from '../profiles/profile-registry.ts';
import type { AccumulatorStore } from './accumulator-store.ts';
import type { ModbusObserver } from '../modbus/modbus-observer.ts';
import { ModbusDeviceReader } from './modbus-device-reader.ts';
import { discoveredProfileSource, fixedProfileSource, type ProfileSource } from './profile-source.ts';
import { unitReader } from './register-reader.ts';
import { discoverSunSpecProfile, type SunSpecDiscovery } from './sunspec-discovery.ts';

/** What createDeviceReader needs besides the device's config. */
export interface DeviceReaderDeps {
  clock: Clock;
  logger: Logger;
  profiles: ProfileRegistry;
  observer?: ModbusObserver;
  /** Connect and request timeout bounds (defaults: DEFAULT_MODBUS_TIMEOUTS). */
  timeouts?: Partial<ModbusTimeouts>;
  /** Reconnect pause after repeated failures (default 250 ms doubling to 30 s). */
  backoff?: Backoff;
  /** Raw register captures kept per device (default 20). */
  captureLimit?: number;
  /** Transport override for tests (default: modbus-serial). */
  openLink?: LinkOpener;
  /** SunSpec discovery override for tests. */
  discoverSunSpec?: SunSpecDiscovery;
  /** Persists accumulator rollover counts (default: memory only, as for a one-off `egw read`). */
  accumulators?: AccumulatorStore;
  /**
   * No unit was named (`egw read --profile auto` without --unit): identification tries each identify
   * rule at its profile's default unit, and the device is read where it answered.
   */
  searchUnits?: boolean;
}

/** Transport names in captures, by device type. */
const PROTOCOLS: Record<ModbusDeviceConfig['type'], string> = {
  tcp: 'modbus-tcp',
  rtu: 'modbus-rtu',
  solarmanv5: 'solarman-v5',
};

/** The Modbus target of a device config. */
export function targetOf(config: ModbusDeviceConfig): ModbusTarget {
  if (config.type === 'solarmanv5')
    return { type: 'solarmanv5', host: config.host, port: config.port, loggerSerial: config.loggerSerial };
  return config.type === 'tcp'
    ? { type: 'tcp', host: config.host, port: config.port }
    : { type: 'rtu', path: config.path, baud: config.baud, parity: config.parity };
}

/**
 * Creates the reader of one device. Throws a ProfileError naming the device when the profile id is
 * unknown; connects lazily on the first read.
 */
export function createDeviceReader(config: DeviceConfig, deps: DeviceReaderDeps): ModbusDeviceReader {
  if (!isModbusDevice(config)) {
    // P1 and HomeWizard devices have their own readers (openDeviceReader).
    throw new ConfigError(
      `${config.id}: a "${config.type}" device is not read over Modbus`,
      `devices.${config.id}.type`,
    );
  }
  const logger = deps.logger.child({ area: 'modbus', device: config.id });
  const connection = new ModbusConnection({
    device: config.id,
    target: targetOf(config),
    clock: deps.clock,
    logger,
    ...(deps.observer ? { observer: deps.observer } : {}),
    ...(deps.timeouts ? { timeouts: deps.timeouts } : {}),
    ...(deps.backoff ? { backoff: deps.backoff } : {}),
    ...(deps.openLink ? { openLink: deps.openLink } : {}),
  });
  let source: ProfileSource;
  let singleClient = false;
  if (config.profile === 'sunspec' || config.profile === 'auto') {
    source = discoveredProfileSource({
      device: config.id,
      mode: config.profile,
      read: unitReader(connection, config.unit),
      profiles: deps.profiles,
      discoverSunSpec: deps.discoverSunSpec ?? discoverSunSpecProfile,
      logger,
      ...(deps.searchUnits && config.profile === 'auto'
        ? { readAt: (unit: number) => unitReader(connection, unit) }
        : {}),
    });
  } else {
    try {
      const profile = deps.profiles.get(config.profile);
      singleClient = profile.transport.singleClient;
      source = fixedProfileSource(profile);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new ProfileError(`${config.id}: ${message}`, { device: config.id, field: 'profile' }, error);
    }
  }
  return new ModbusDeviceReader({
    id: config.id,
    unit: config.unit,
    connection,
    source,
    clock: deps.clock,
    logger,
    protocol: PROTOCOLS[config.type],
    closeBetweenPolls: (config.type === 'tcp' && config.closeBetweenPolls) || singleClient,
    ...(deps.captureLimit !== undefined ? { captureLimit: deps.captureLimit } : {}),
    ...(deps.accumulators ? { accumulators: deps.accumulators } : {}),
  });
}
