/**
 * What the web API (and through it BLE provisioning) sees of the running gateway. The composition root
 * (server/src/main.ts) builds these from the real modules; API tests may build them from the real
 * modules too (against the simulator) or from small in-memory implementations in test/fakes/.
 */
import type { Clock } from '../core/clock.ts';
import type { EventBus } from '../core/event-bus.ts';
import type { Logger } from '../core/logger.ts';
import type { Reading } from '../core/reading.ts';
import type { Config, DeviceConfig } from '../config/schema.ts';
import type { DeviceStats } from '../devices/device-reader.ts';
import type { TaskKindStats } from '../engine/task.ts';
import type { ProxyStats } from '../proxy/modbus-proxy.ts';
import type { WifiManager } from '../wifi/wifi-manager.ts';

/** The gateway's signing identity (the device key). Never exposes the private key. */
export interface GatewayIdentity {
  /** Derived from the public key, stable across restarts, e.g. "EGW-3F9A…". */
  readonly serial: string;
  /** Compressed secp256k1 public key, hex (66 chars). */
  readonly publicKeyHex: string;
  readonly publicKeyPem: string;
  readonly jwk: { kty: 'EC'; crv: 'secp256k1'; x: string; y: string };
  /** Signs a JWT (ES256K) with the device key. Callers build header and payload; never from raw client input. */
  signJwt(header: Record<string, unknown>, payload: unknown): string;
}

/** A configured device as the API shows it. */
export interface DeviceInfo {
  config: DeviceConfig;
  stats: DeviceStats;
  /** Latest harvest reading, if any. */
  reading?: Reading;
  /** Counters of the device's Modbus proxy, when it has one. */
  proxy?: ProxyStats;
}

/** Recent 10 Hz samples of one device and their statistics. */
export interface FrequencySnapshot {
  device: string;
  samples: { ts: number; hz: number }[];
  stats: { count: number; minHz?: number; maxHz?: number; meanHz?: number };
}

/** Adds, removes and lists devices at run time (persisted). */
export interface DeviceRegistry {
  list(): DeviceInfo[];
  get(id: string): DeviceInfo | undefined;
  /** Validated config in; the id is generated when absent. Throws ValidationError on duplicates. */
  add(config: DeviceConfig): Promise<DeviceInfo>;
  /** Returns false when there was no such device. */
  remove(id: string): Promise<boolean>;
  frequency(id: string): FrequencySnapshot | undefined;
}

/** One signed batch as kept in the outbox. */
export interface BatchRecord {
  seq: number;
  createdAt: number;
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  jwt: string;
  /** Uplinks that acknowledged it so far. */
  ackedBy: string[];
}

export interface OutboxStats {
  depth: number;
  bytes: number;
  /** Age of the oldest undelivered batch, ms (absent when empty). */
  oldestAgeMs?: number;
  dropped: number;
  lastSeq: number;
}

export interface UplinkState {
  name: 'http' | 'mqtt' | string;
  state: 'ok' | 'retrying' | 'connecting' | 'disabled';
  /** Wall-clock ms since when the state holds. */
  since: number;
  lastError?: string;
  acked: number;
  retries: number;
}

/** Runtime-adjustable settings (persisted in SQLite, highest precedence). */
export type Settings = Pick<Config, 'harvest' | 'ingest' | 'mqtt'>;

export interface SettingsStore {
  get(): Settings;
  /** Validates the merged result with the config schema; throws ValidationError naming the field. */
  update(patch: unknown): Promise<Settings>;
  /** Why the stored API settings were ignored at start (undefined when in force or none); for /api/stats. */
  ignoredReason?(): string | undefined;
}

export interface GatewayServices {
  clock: Clock;
  logger: Logger;
  bus: EventBus;
  identity: GatewayIdentity;
  /** The API token (Bearer). */
  apiToken: string;
  devices: DeviceRegistry;
  settings: SettingsStore;
  engineStats(): Record<string, TaskKindStats>;
  /** recent(): newest first, only seq < beforeSeq when given (paging of GET /api/harvests). */
  outbox: { stats(): OutboxStats; recent(limit: number, beforeSeq?: number): BatchRecord[] };
  uplinks(): UplinkState[];
  wifi: WifiManager;
  /** Monotonic ms at start, for /api/uptime. */
  startedAtMs: number;
  version: string;
}
