/**
 * The simulator as a library: startSimulator() builds a site, its devices from profiles, one Modbus
 * TCP server per port, optional control API, and returns handles to inject faults and read stats.
 * The CLI, the demo and other parts' tests all start it through here.
 */
import { SystemClock, type Clock } from '../../server/src/core/clock.ts';
import { ConfigError } from '../../server/src/core/errors.ts';
import { silentLogger, type Logger } from '../../server/src/core/logger.ts';
import { ProfileRegistry } from '../../server/src/profiles/profile-registry.ts';
import { startControlServer, type ControlServer } from './control/control-server.ts';
import { buildDevice } from './device/build-device.ts';
import type { SimulatedDevice } from './device/simulated-device.ts';
import { FaultController, type FaultCounts } from './faults/fault-controller.ts';
import type { FaultSpec } from './faults/fault-spec.ts';
import { Prng } from './physics/prng.ts';
import type { SimValues } from './physics/sim-values.ts';
import type { RegisterCapture } from '../../server/src/profiles/register-capture.ts';
import { Site } from './physics/site.ts';
import { describeRanges } from './server/register-image.ts';
import { solarNoonMs } from './physics/sun.ts';
import { newRtuServer, newTcpServer, type Endpoint } from './device/device-servers.ts';
import type { ModbusRtuServer } from './server/modbus-rtu-server.ts';
import type { ModbusServerStats, ModbusTcpServer } from './server/modbus-tcp-server.ts';

/** One device to simulate. */
export interface SimDeviceSpec {
  /** Profile id, e.g. "huawei", "sunspec", "sdm630". */
  profile: string;
  /** TCP port; 0 or absent = a free ephemeral port. Devices naming the same port share it (by unit). */
  port?: number;
  host?: string;
  /** Modbus unit id; default the profile's. */
  unit?: number;
  /** Device id in stats and the control API; default "<profile>" or "<profile>-<n>". */
  id?: string;
  /** Faults active from the start. */
  faults?: FaultSpec;
  /** Nameplate power, W (default the profile's constant, else 10 kW three-phase / 5 kW single-phase). */
  ratedPowerW?: number;
  /** Seed of this device's own physics (default: drawn from the simulator's seed in device order). */
  seed?: number;
  /** SunSpec only: serve the storage (124) and battery (802) models, with battery physics. */
  sunspecBattery?: boolean;
  /** SunSpec only: the inverter model, 103 (integer + SF, default) or 113 (float). */
  sunspecInverterModel?: 103 | 113;
  /** SunSpec only: serve model 160 (MPPT) — default true. */
  sunspecMppt?: boolean;
  /** Serve these captured registers as they are (no physics); `profile` is then only a label. */
  replay?: RegisterCapture;
}

/** How to start the simulator. */
export interface SimulatorOptions {
  devices: SimDeviceSpec[];
  /** Fixed seed for reproducible physics and fault decisions (default 1). */
  seed?: number;
  /** Time acceleration: simulated seconds per real second (default 1). */
  speed?: number;
  latitude?: number;
  longitude?: number;
  /** Nominal grid frequency, 50 (default) or 60. */
  frequencyHz?: 50 | 60;
  /** Simulated wall time at start, ms since epoch (default today's solar noon, so the sun is up). */
  startTime?: number;
  /** Start at the real current time instead of noon (night is then dark). */
  realtimeSun?: boolean;
  /** Serve the HTTP control API on this port (0 = ephemeral); absent = none. */
  controlPort?: number;
  controlHost?: string;
  /**
   * Also act as a smart meter's P1 side, from the values of `device` (default the first): DSMR
   * telegrams on `serialPath`, the HomeWizard local API on `homewizardPort`.
   */
  p1?: {
    device?: string;
    serialPath?: string;
    badCrcEvery?: number;
    homewizardPort?: number;
    /** Advertise the HomeWizard API over mDNS (`_hwenergy._tcp`). */
    homewizardMdns?: boolean;
  };
  /** Serve every TCP port as a Solarman V5 logger stick with this serial (RTU frames inside V5). */
  solarmanLoggerSerial?: number;
  /** Serve every device as Modbus RTU on this serial port instead of TCP (ports then read 0). */
  serial?: { path: string; baudRate?: number };
  /** Extra profile directory (user profiles). */
  profilesDir?: string;
  /** Physics is brought up to date on requests at most this often, ms (default 50). */
  updateIntervalMs?: number;
  clock?: Clock;
  logger?: Logger;
}

/** Where a started device listens. */
export interface SimDeviceInfo {
  id: string;
  profile: string;
  host: string;
  port: number;
  unit: number;
}

/** Counters and faults of one device. */
export interface SimDeviceStats extends SimDeviceInfo {
  server: ModbusServerStats;
  faults: FaultCounts;
  faultsTotal: number;
  activeFaults: FaultSpec;
}

/** Counters of the whole simulator. */
export interface SimulatorStats {
  simTimeMs: number;
  speed: number;
  devices: SimDeviceStats[];
}

/** A running simulator. */
export interface RunningSimulator {
  devices: SimDeviceInfo[];
  /** Port of the simulated HomeWizard P1 API, when started. */
  homewizardPort?: number;
  /** Port of the HTTP control API, when started. */
  controlPort?: number;
  /** Fault controller of a device; throws for an unknown id. */
  faults(id: string): FaultController;
  /** Current physics values of a device (canonical fields, SI units). */
  values(id: string): SimValues;
  stats(): SimulatorStats;
  /** Stops servers and the control API, closing every connection. */
  stop(): Promise<void>;
}

/** Starts the simulator; resolves once every port listens. */
export async function startSimulator(options: SimulatorOptions): Promise<RunningSimulator> {
  if (options.devices.length === 0)
    throw new ConfigError('simulator: at least one device is needed', 'devices');
  const clock = options.clock ?? new SystemClock();
  const logger = options.logger ?? silentLogger();
  const speed = options.speed ?? 1;
  if (!(speed > 0)) throw new ConfigError(`simulator: speed ${speed} must be > 0`, 'speed');
  const seed = options.seed ?? 1;
  const longitude = options.longitude ?? 0;
  const startTime =
    options.startTime ?? (options.realtimeSun ? clock.nowMs() : solarNoonMs(clock.nowMs(), longitude));
  const site = new Site({
    seed,
    latitudeDeg: options.latitude ?? 50,
    longitudeDeg: longitude,
    nominalHz: options.frequencyHz ?? 50,
    startTimeMs: startTime,
    frequencyTimeScale: 1 / speed,
  });
  const monoStart = clock.monotonicMs();
  const updateIntervalMs = options.updateIntervalMs ?? 50;
  let lastSyncMs = monoStart;
  let generation = 0;
  const sync = (): number => {
    const now = clock.monotonicMs();
    if (now - lastSyncMs >= updateIntervalMs) {
      lastSyncMs = now;
      site.advanceTo(startTime + (now - monoStart) * speed);
      generation++;
    }
    return generation;
  };

  const registry = ProfileRegistry.load(options.profilesDir ? { extraDir: options.profilesDir } : {});
  const faultPrng = new Prng(seed ^ 0x5eed);
  const usedIds = new Set<string>();
  const endpoints: Endpoint[] = [];
  const deviceList: SimulatedDevice[] = [];
  for (const [index, spec] of options.devices.entries()) {
    const id = spec.id ?? uniqueId(spec.profile, options.devices, index);
    if (usedIds.has(id))
      throw new ConfigError(`simulator: device id "${id}" is used twice`, `devices.${index}.id`);
    usedIds.add(id);
    const faults = new FaultController(id, clock, faultPrng.fork(), spec.faults ?? {});
    const device = buildDevice({ spec, id, registry, site, faults, sync });
    deviceList.push(device);
    const image = device.currentImage();
    logger.debug(
      { device: id, holding: describeRanges(image.holding), input: describeRanges(image.input) },
      'serving registers',
    );
    const host = spec.host ?? '127.0.0.1';
    const port = spec.port ?? 0;
    const shared = port !== 0 ? endpoints.find((e) => e.host === host && e.port === port) : undefined;
    if (shared) {
      if (shared.devices.some((d) => d.unit === device.unit)) {
        throw new ConfigError(
          `simulator: ${host}:${port} unit ${device.unit} is used twice`,
          `devices.${index}.unit`,
        );
      }
      shared.devices.push(device);
      continue;
    }
    endpoints.push({ host, port, devices: [device], server: undefined as unknown as ModbusTcpServer });
  }

  const stopAll: (() => Promise<void>)[] = [];
  let rtu: ModbusRtuServer | undefined;
  try {
    if (options.serial) {
      const units = deviceList.map((d) => d.unit);
      const twice = units.find((unit, i) => units.indexOf(unit) !== i);
      if (twice !== undefined)
        throw new ConfigError(`simulator: ${options.serial.path} unit ${twice} is used twice`, 'unit');
      for (const endpoint of endpoints) endpoint.port = 0;
      rtu = newRtuServer(options.serial, deviceList, clock, logger);
      await rtu.open();
      stopAll.push(() => rtu!.close());
      for (const device of deviceList) {
        logger.info(
          { device: device.id, profile: device.profileId, serial: options.serial.path, unit: device.unit },
          `simulating ${device.profileId} "${device.id}" on ${options.serial.path} (RTU) unit ${device.unit}`,
        );
      }
    }
    for (const endpoint of options.serial ? [] : endpoints) {
      endpoint.server = newTcpServer(endpoint, clock, logger, options.solarmanLoggerSerial);
      const bound = await endpoint.server.listen();
      endpoint.port = bound.port;
      stopAll.push(() => endpoint.server.close());
      for (const device of endpoint.devices) {
        // The server itself follows the first device's faults; devices sharing its port join in.
        if (device !== endpoint.devices[0]) {
          device.faults.subscribe({ dropConnections: () => endpoint.server.dropConnections() });
        }
        logger.info(
          {
            device: device.id,
            profile: device.profileId,
            host: endpoint.host,
            port: bound.port,
            unit: device.unit,
          },
          `simulating ${device.profileId} "${device.id}" on ${endpoint.host}:${bound.port} unit ${device.unit}${options.solarmanLoggerSerial !== undefined ? ` (Solarman V5 logger ${options.solarmanLoggerSerial})` : ''}`,
        );
      }
    }
  } catch (error) {
    await Promise.all(stopAll.map((stop) => stop()));
    throw error;
  }

  const infos = (): SimDeviceInfo[] =>
    endpoints.flatMap((e) =>
      e.devices.map((d) => ({ id: d.id, profile: d.profileId, host: e.host, port: e.port, unit: d.unit })),
    );
  const find = (id: string): SimulatedDevice => {
    const device = deviceList.find((d) => d.id === id);
    if (!device)
      throw new ConfigError(
        `simulator: no device "${id}"; known: ${deviceList.map((d) => d.id).join(', ')}`,
        'id',
      );
    return device;
  };
  const stats = (): SimulatorStats => ({
    simTimeMs: site.timeMs(),
    speed,
    devices: endpoints.flatMap((e) =>
      e.devices.map((d) => ({
        id: d.id,
        profile: d.profileId,
        host: e.host,
        port: e.port,
        unit: d.unit,
        server: rtu ? rtu.stats() : e.server.stats(),
        faults: d.faults.counts(),
        faultsTotal: d.faults.total(),
        activeFaults: d.faults.spec(),
      })),
    ),
  });

  const simulator: RunningSimulator = {
    devices: infos(),
    faults: (id) => find(id).faults,
    values: (id) => find(id).values(),
    stats,
    stop: async () => {
      await Promise.all(stopAll.map((stop) => stop()));
    },
  };
  if (options.controlPort !== undefined) {
    let control: ControlServer;
    try {
      control = await startControlServer(simulator, { port: options.controlPort, host: options.controlHost });
    } catch (error) {
      await simulator.stop();
      throw error;
    }
    simulator.controlPort = control.port;
    stopAll.push(() => control.close());
    logger.info(
      { port: control.port },
      `control API on http://${options.controlHost ?? '127.0.0.1'}:${control.port}`,
    );
  }
  if (options.p1) {
    const p1 = options.p1;
    const source = find(p1.device ?? deviceList[0]!.id);
    try {
      const { startP1Outputs } = await import('./p1/p1-outputs.ts');
      const outputs = await startP1Outputs({
        values: () => {
          sync();
          return source.values();
        },
        clock,
        logger,
        ...(p1.serialPath !== undefined ? { serialPath: p1.serialPath } : {}),
        ...(p1.badCrcEvery !== undefined ? { badCrcEvery: p1.badCrcEvery } : {}),
        ...(p1.homewizardPort !== undefined ? { homewizardPort: p1.homewizardPort } : {}),
        ...(p1.homewizardMdns ? { homewizardMdns: true } : {}),
      });
      stopAll.push(() => outputs.stop());
      if (outputs.homewizardPort !== undefined) simulator.homewizardPort = outputs.homewizardPort;
      logger.info(
        { serialPath: p1.serialPath, homewizardPort: outputs.homewizardPort },
        `P1 outputs of "${source.id}": ${p1.serialPath ? `DSMR telegrams on ${p1.serialPath}` : ''}${p1.serialPath && outputs.homewizardPort !== undefined ? ', ' : ''}${outputs.homewizardPort !== undefined ? `HomeWizard API on port ${outputs.homewizardPort}` : ''}`,
      );
    } catch (error) {
      await simulator.stop();
      throw error;
    }
  }
  return simulator;
}

function uniqueId(profile: string, devices: SimDeviceSpec[], index: number): string {
  const sameProfile = devices.filter((d) => d.profile === profile).length;
  if (sameProfile === 1) return profile;
  return `${profile}-${devices.slice(0, index + 1).filter((d) => d.profile === profile).length}`;
}
