/**
 * In-memory GatewayServices for API tests and the stand-alone dashboard demo: a real secp256k1 key
 * (node:crypto, so signatures verify with crypto.verify), devices in a Map, settings validated by the
 * config schema, an outbox of fake batches, switchable Wi-Fi. startSyntheticTraffic() emits 10 Hz
 * frequency samples and 1 Hz readings on the bus, like sampling devices would.
 */
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { ConfigSchema, type ParsedDeviceConfig } from '../../server/src/config/schema.ts';
import { withProfileDefaults } from '../../server/src/devices/profile-defaults.ts';
import { ProfileRegistry } from '../../server/src/profiles/profile-registry.ts';
import { SystemClock, type Clock } from '../../server/src/core/clock.ts';
import { NotAvailable, ValidationError } from '../../server/src/core/errors.ts';
import { EventBus } from '../../server/src/core/event-bus.ts';
import { silentLogger } from '../../server/src/core/logger.ts';
import type { Reading } from '../../server/src/core/reading.ts';
import type { DeviceStats } from '../../server/src/modbus/modbus-observer.ts';
import type { GatewayServices } from '../../server/src/api/gateway-port.ts';
import type { Settings } from '../../server/src/config/settings.ts';
import type { DeviceCaptures, DeviceInfo, DeviceRegistry } from '../../server/src/devices/device-info.ts';
import type { FrequencySnapshot } from '../../server/src/harvest/frequency-sampler.ts';
import type { PowerSnapshot } from '../../server/src/harvest/power-history.ts';
import type { GatewayIdentity } from '../../server/src/identity/gateway-identity.ts';
import type { BatchRecord } from '../../server/src/outbox/batch-record.ts';
import type { UplinkState } from '../../server/src/uplink/uplink.ts';
import { LogLevels } from '../../server/src/core/log-levels.ts';
import { GatewayState } from '../../server/src/notifications/gateway-state.ts';
import { NotificationCenter } from '../../server/src/notifications/notification-center.ts';
import type { WifiManager, WifiNetwork, WifiState } from '../../server/src/wifi/wifi-manager.ts';

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A real ES256K identity over a fresh node:crypto key (signatures are IEEE-P1363 r‖s, as in a JWT). */
export function fakeIdentity(): GatewayIdentity {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
  const jwk = publicKey.export({ format: 'jwk' }) as { x: string; y: string };
  const y = Buffer.from(jwk.y, 'base64url');
  const prefix = (y[y.length - 1] ?? 0) % 2 === 0 ? '02' : '03';
  const publicKeyHex = prefix + Buffer.from(jwk.x, 'base64url').toString('hex');
  return {
    serial: `EGW-${createHash('sha256').update(publicKeyHex).digest('hex').slice(0, 12).toUpperCase()}`,
    publicKeyHex,
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    jwk: { kty: 'EC', crv: 'secp256k1', x: jwk.x, y: jwk.y },
    signJwt(header, payload) {
      const input = `${b64url(header)}.${b64url(payload)}`;
      const signature = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
      return `${input}.${signature.toString('base64url')}`;
    },
  };
}

/** Counters of a healthy device. */
export function fakeDeviceStats(state: DeviceStats['state'] = 'connected'): DeviceStats {
  return {
    state,
    requests: 120,
    failures: 1,
    timeouts: 1,
    reconnects: 0,
    exceptions: { '02': 1 },
    latencyMs: { p50: 4, p99: 9, max: 12 },
    lastOkAt: Date.UTC(2026, 0, 1),
    captures: 0,
  };
}

let loadedProfiles: ProfileRegistry | undefined;
/** The built-in profiles, loaded once per process (only the fakes' add() needs them). */
function fakeProfiles(): ProfileRegistry {
  loadedProfiles ??= ProfileRegistry.load();
  return loadedProfiles;
}

/** A device registry in a Map; emits devices-changed like the real one. */
export class FakeDeviceRegistry implements DeviceRegistry {
  readonly devices = new Map<string, DeviceInfo>();
  private readonly bus: EventBus;
  readonly samples = new Map<string, { ts: number; hz: number }[]>();

  constructor(bus: EventBus) {
    this.bus = bus;
  }

  list(): DeviceInfo[] {
    return [...this.devices.values()];
  }

  get(id: string): DeviceInfo | undefined {
    return this.devices.get(id);
  }

  async add(parsed: ParsedDeviceConfig): Promise<DeviceInfo> {
    // Absent unit and port: the profile's, as the real registry fills them.
    const config = withProfileDefaults(parsed, fakeProfiles());
    if (this.devices.has(config.id)) throw new ValidationError(`device "${config.id}" already exists`, 'id');
    if (!/^[a-z0-9_-]+$/.test(config.profile) || config.profile === 'nosuchprofile') {
      throw new ValidationError(`profile "${config.profile}": no such profile`, 'profile');
    }
    const info: DeviceInfo = { config, stats: fakeDeviceStats('connecting') };
    this.devices.set(config.id, info);
    this.bus.emit('devices-changed', { ids: [...this.devices.keys()] });
    return info;
  }

  async remove(id: string): Promise<boolean> {
    const existed = this.devices.delete(id);
    if (existed) this.bus.emit('devices-changed', { ids: [...this.devices.keys()] });
    return existed;
  }

  frequency(id: string): FrequencySnapshot | undefined {
    if (!this.devices.has(id)) return undefined;
    const samples = this.samples.get(id) ?? [];
    const hz = samples.map((s) => s.hz);
    const stats =
      hz.length === 0
        ? { count: 0 }
        : {
            count: hz.length,
            minHz: Math.min(...hz),
            maxHz: Math.max(...hz),
            meanHz: hz.reduce((a, b) => a + b, 0) / hz.length,
          };
    return { device: id, samples, stats };
  }

  power(id: string): PowerSnapshot | undefined {
    if (!this.devices.has(id)) return undefined;
    const reading = this.devices.get(id)?.reading;
    const w = reading?.ac_power_w ?? reading?.grid_power_w;
    return { device: id, samples: reading && w !== undefined ? [{ ts: reading.ts, w }] : [] };
  }

  captures(id: string): DeviceCaptures | undefined {
    return this.devices.has(id) ? { device: id, captures: [] } : undefined;
  }
}

/** Wi-Fi that works, or throws NotAvailable like a box without NetworkManager. */
export class FakeWifi implements WifiManager {
  available = true;
  state: WifiState = { state: 'disconnected' };
  networks: WifiNetwork[] = [{ ssid: 'home', signal: 70, security: 'WPA2', inUse: false }];

  private check(): void {
    if (!this.available) throw new NotAvailable('wifi: NetworkManager (nmcli) is not available on this box');
  }

  async scan(): Promise<WifiNetwork[]> {
    this.check();
    return this.networks;
  }

  async connect(ssid: string): Promise<WifiState> {
    this.check();
    this.state = { state: 'connected', ssid, ipv4: '192.168.1.20' };
    return this.state;
  }

  async forget(): Promise<void> {
    this.check();
  }

  async status(): Promise<WifiState> {
    this.check();
    return this.state;
  }
}

const SettingsSchema = ConfigSchema.pick({ harvest: true, ingest: true, mqtt: true });

/** Everything a test may poke at, plus the services the API sees. */
export interface FakeGateway {
  services: GatewayServices;
  devices: FakeDeviceRegistry;
  wifi: FakeWifi;
  /** The real notification center (tests raise and clear on it). */
  notifications: NotificationCenter;
  batches: BatchRecord[];
  uplinkStates: UplinkState[];
  /** Emits a reading for a device (and stores it as the device's latest). */
  emitReading(device: string, fields?: Partial<Reading>): Reading;
  /** Emits a 10 Hz frequency sample. */
  emitFrequency(device: string, hz: number): void;
  /** Stops the gateway state's start-grace timer, which would otherwise keep the test process alive for a minute. */
  stop(): void;
}

/** Builds fake services; token "test-token" unless given; one TCP device "inv1" with a reading. */
export function createFakeGateway(options: { clock?: Clock; apiToken?: string } = {}): FakeGateway {
  const clock = options.clock ?? new SystemClock();
  const bus = new EventBus();
  const devices = new FakeDeviceRegistry(bus);
  const wifi = new FakeWifi();
  const notifications = new NotificationCenter({ clock });
  // The real state tracker over the fake devices (devices is filled below; read lazily).
  const state = new GatewayState({
    clock,
    notifications,
    devices: () => devices.list().map((d) => ({ id: d.config.id, read: d.reading !== undefined })),
    onChange: (view) => bus.emit('gateway-state', view),
  });
  const identity = fakeIdentity();
  let settings: Settings = SettingsSchema.parse({});
  const batches: BatchRecord[] = [1, 2, 3].map((seq) => {
    const header = {
      alg: 'ES256K',
      typ: 'JWT',
      device: identity.serial,
      opr: 'production',
      model: 'sunspec',
      seq,
    };
    const payload = {
      [String(1767225600000 + seq * 1000)]: { device: 'inv1', profile: 'sunspec', ts: 0, read_ms: 5 },
    };
    return {
      seq,
      createdAt: 1767225600000 + seq * 10_000,
      header,
      payload,
      jwt: identity.signJwt(header, payload),
      ackedBy: [],
    };
  });
  const uplinkStates: UplinkState[] = [
    { name: 'http', state: 'ok', since: clock.nowMs(), acked: 12, retries: 2 },
    {
      name: 'mqtt',
      state: 'retrying',
      since: clock.nowMs(),
      lastError: 'connection refused',
      acked: 3,
      retries: 7,
    },
  ];
  const services: GatewayServices = {
    clock,
    logger: silentLogger(),
    bus,
    identity,
    apiToken: options.apiToken ?? 'test-token',
    devices,
    settings: {
      get: () => settings,
      async update(patch) {
        const current = settings as Record<string, Record<string, unknown>>;
        const p = (patch ?? {}) as Record<string, Record<string, unknown>>;
        const merged = Object.fromEntries(
          Object.keys(current).map((key) => [key, { ...current[key], ...(p[key] ?? {}) }]),
        );
        const result = SettingsSchema.safeParse(merged);
        if (!result.success) {
          const issue = result.error.issues[0];
          throw new ValidationError(
            `settings: ${issue?.message ?? 'invalid'}`,
            issue?.path.join('.') ?? 'settings',
          );
        }
        settings = result.data;
        return settings;
      },
    },
    engineStats: () => ({
      frequency: {
        runs: 600,
        failures: 0,
        overruns: 1,
        lagMs: { p50: 0.4, p99: 2, max: 3 },
        durationMs: { p50: 4, p99: 9, max: 11 },
      },
      harvest: {
        runs: 60,
        failures: 1,
        overruns: 0,
        lagMs: { p50: 0.5, p99: 2, max: 2 },
        durationMs: { p50: 20, p99: 40, max: 41 },
      },
    }),
    outbox: {
      stats: () => ({
        depth: batches.length,
        bytes: batches.reduce((n, b) => n + b.jwt.length, 0),
        oldestAgeMs: 30_000,
        dropped: 0,
        lastSeq: batches.length,
      }),
      recent: (limit, beforeSeq = Infinity) =>
        batches
          .filter((b) => b.seq < beforeSeq)
          .slice(-limit)
          .reverse(),
    },
    uplinks: () => uplinkStates,
    wifi,
    notifications,
    logLevels: new LogLevels(silentLogger(), clock),
    state: () => state.view(),
    startedAtMs: clock.monotonicMs(),
    version: '0.1.0-test',
  };
  const emitReading = (device: string, fields: Partial<Reading> = {}): Reading => {
    const reading: Reading = {
      device,
      profile: 'sunspec',
      ts: clock.nowMs(),
      read_ms: 5,
      status: 'producing',
      ac_power_w: 2500,
      grid_frequency_hz: 50.01,
      energy_total_wh: 1_234_000,
      ...fields,
    };
    const info = devices.get(device);
    if (info) info.reading = reading;
    bus.emit('reading', reading);
    return reading;
  };
  const emitFrequency = (device: string, hz: number): void => {
    const sample = { device, ts: clock.nowMs(), hz };
    const list = devices.samples.get(device) ?? [];
    list.push({ ts: sample.ts, hz });
    if (list.length > 600) list.shift();
    devices.samples.set(device, list);
    bus.emit('frequency', sample);
  };
  devices.devices.set('inv1', {
    config: {
      id: 'inv1',
      type: 'tcp',
      host: '127.0.0.1',
      port: 1502,
      unit: 1,
      profile: 'sunspec',
      closeBetweenPolls: false,
    },
    stats: fakeDeviceStats(),
  });
  emitReading('inv1');
  emitFrequency('inv1', 50.0);
  state.started();
  const stop = (): void => state.stopping();
  return { services, devices, wifi, notifications, batches, uplinkStates, emitReading, emitFrequency, stop };
}

/** Emits 10 Hz frequency and 1 Hz readings for every device until the returned stop() (real timers). */
export function startSyntheticTraffic(fake: FakeGateway, frequencyPeriodMs = 100): () => void {
  let tick = 0;
  const timer = setInterval(() => {
    tick += 1;
    for (const { config } of fake.devices.list()) {
      fake.emitFrequency(config.id, 50 + 0.05 * Math.sin(tick / 20) + 0.01 * Math.sin(tick * 1.7));
      if (tick % 10 === 0) fake.emitReading(config.id, { ac_power_w: 2500 + 400 * Math.sin(tick / 100) });
    }
  }, frequencyPeriodMs);
  return () => clearInterval(timer);
}
