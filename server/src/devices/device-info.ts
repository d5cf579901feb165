/** A configured device as the API sees it, and the run-time registry contract (add, remove, list). */
import type { Reading } from '../core/reading.ts';
import type { DeviceConfig, ParsedDeviceConfig } from '../config/schema.ts';
import type { FrequencySnapshot } from '../harvest/frequency-sampler.ts';
import type { PowerSnapshot } from '../harvest/power-history.ts';
import type { DeviceStatus } from '../harvest/device-status.ts';
import type { DeviceStats } from '../modbus/modbus-observer.ts';
import type { RegisterCapture } from '../profiles/register-capture.ts';
import type { ProxyStats } from '../proxy/modbus-proxy.ts';

/** A configured device as the API shows it. */
export interface DeviceInfo {
  config: DeviceConfig;
  stats: DeviceStats;
  /** State from the outcome of its reads (stats.state is only the socket's). */
  status?: DeviceStatus;
  /** Whether the connection is closed between polls: the config's setting or the profile's single client. */
  closeBetweenPolls?: boolean;
  /** Latest harvest reading, if any. */
  reading?: Reading;
  /** Counters of the device's Modbus proxy, when it has one. */
  proxy?: ProxyStats;
}

/** Raw registers of a device: its failed polls (bounded ring, oldest first) and its last good poll. */
export interface DeviceCaptures {
  device: string;
  captures: RegisterCapture[];
  lastPoll?: RegisterCapture;
}

/** Adds, removes and lists devices at run time (persisted). */
export interface DeviceRegistry {
  list(): DeviceInfo[];
  get(id: string): DeviceInfo | undefined;
  /**
   * Validated config in (absent unit and port: the profile's); the id is generated when absent.
   * Throws ValidationError on duplicates.
   */
  add(config: ParsedDeviceConfig): Promise<DeviceInfo>;
  /** Returns false when there was no such device. */
  remove(id: string): Promise<boolean>;
  frequency(id: string): FrequencySnapshot | undefined;
  /** Recent power points at harvest rate; undefined when there is no such device. */
  power(id: string): PowerSnapshot | undefined;
  /** Raw register captures of a device; undefined when there is no such device. */
  captures(id: string): DeviceCaptures | undefined;
}
