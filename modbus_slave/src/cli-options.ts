/**
 * `egw-sim` command line → SimulatorOptions: one device (--profile/--port/--unit), several
 * (--device profile:port[:unit[:id]]), or a JSON scenario file; physics and fault flags.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { numberOption } from '../../server/src/core/cli-program.ts';
import { ConfigError } from '../../server/src/core/errors.ts';
import { FaultSpecSchema, parseLatency, type FaultSpec } from './faults/fault-spec.ts';
import { parseCapture, type RegisterCapture } from '../../server/src/profiles/register-capture.ts';
import type { SimDeviceSpec, SimulatorOptions } from './simulator.ts';

/** `egw-sim --help`. */
export const USAGE = `egw-sim — simulated inverters and meters on Modbus TCP (or RTU), with physics and faults

usage:
  egw-sim --profile huawei --port 5020 [--unit 1] [--host 127.0.0.1]
  egw-sim --device huawei:5020:1 --device sunspec:5021:126 [--device sdm630:5021:2:meter]
  egw-sim --scenario site.json
  egw-sim --replay capture.json --port 5020 [--unit U]           (serve a capture's registers)
  egw-sim --profile sdm630 --serial /dev/pts/3 [--baud 9600]      (Modbus RTU on a serial line)

devices:
  --profile ID              one device with this profile (with --port, --unit, --host)
  --device P:PORT[:UNIT[:ID]]  a device; repeat for several; port 0 = ephemeral; same port = shared by unit
  --replay FILE             serve the raw registers of a capture (egw read --capture FILE, or the answer
                            of GET /api/devices/:id/captures) at its unit, as they are: no physics
  --scenario FILE           JSON: {"seed","speed","latitude","longitude","frequencyHz","startTime",
                            "devices":[{"profile","port","unit","id","host","ratedPowerW","seed","faults":{…}}]}
  --port N, --unit N, --host H   (default port 5020, host 127.0.0.1)
  --rated-power-w W         nameplate power of --profile/--device inverters
  --profiles-dir DIR        extra profile files
  --serial PATH [--baud N]  serve the devices as Modbus RTU on a serial port instead of TCP
  --solarman LOGGER_SERIAL  serve the devices behind a Solarman V5 logger stick (RTU inside V5 frames)
  --p1 PATH                 also write DSMR 5 telegrams of the first device (a meter) to this serial port
  --p1-bad-crc-every N      every Nth telegram with a wrong CRC
  --homewizard-port N       also serve the first device as a HomeWizard P1 meter (local API) on port N
  --homewizard-mdns         and advertise it over mDNS as _hwenergy._tcp

physics:
  --seed N                  fixed seed (default 1): the same run every time
  --speed X                 simulated seconds per real second (default 1)
  --latitude D --longitude D   site position (default 50, 0)
  --frequency-hz 50|60      nominal grid frequency
  --start-time ISO          simulated start time (default: today's solar noon, so the sun is up)
  --realtime-sun            start at the real current time (dark at night)

faults (applied to every device; change them at run time through the control API or stdin):
  --drop-rate R             close the connection instead of answering, probability per request
  --single-client           refuse a second client while one is connected
  --latency MS|MIN-MAX      answer after a fixed or random delay
  --exception-rate R        answer with an exception, probability per request
  --exception-codes C,…     which (hex): 02, 04, 06, 0b (default 06)
  --malformed-rate R        answer with a byte count that does not match the data
  --silent                  never answer
  --txid-mismatch-rate R    answer with a wrong transaction id

control:
  --control-port N          HTTP JSON control API (GET /devices /stats /faults; POST /devices/ID/faults …)
  --stdin / --no-stdin      read commands from stdin ("help" lists them); default: only when stdin
                            is not a terminal, so \`egw-sim … &\` in a shell is not stopped by SIGTTIN
  --ready-json              print one JSON line {"ready":true,"devices":[…],"controlPort":N} on stdout
  --log-level L             pino level (default info; EGW_LOG_LEVEL overrides)
  -h, --help
`;

const ScenarioSchema = z.strictObject({
  seed: z.number().int().optional(),
  speed: z.number().positive().optional(),
  latitude: z.number().min(-90).max(90).optional(),
  longitude: z.number().min(-180).max(180).optional(),
  frequencyHz: z.union([z.literal(50), z.literal(60)]).optional(),
  startTime: z.union([z.number(), z.string()]).optional(),
  realtimeSun: z.boolean().optional(),
  controlPort: z.number().int().min(0).max(65535).optional(),
  devices: z
    .array(
      z.strictObject({
        profile: z.string(),
        port: z.number().int().min(0).max(65535).optional(),
        host: z.string().optional(),
        unit: z.number().int().min(0).max(255).optional(),
        id: z.string().optional(),
        ratedPowerW: z.number().positive().optional(),
        sunspecInverterModel: z.union([z.literal(103), z.literal(113)]).optional(),
        sunspecMppt: z.boolean().optional(),
        sunspecBattery: z.boolean().optional(),
        seed: z.number().int().optional(),
        faults: FaultSpecSchema.optional(),
      }),
    )
    .min(1),
});

/** What the CLI does besides starting the simulator. */
export interface CliSettings {
  help: boolean;
  options: SimulatorOptions;
  serial?: { path: string; baudRate: number };
  stdin: boolean;
  readyJson: boolean;
  logLevel?: string;
}

function parseTime(value: string | number | undefined, flag: string): number | undefined {
  if (value === undefined || typeof value === 'number') return value;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new ConfigError(`--${flag} ${value}: not an ISO time`, flag);
  return ms;
}

function parseDevice(text: string, host: string | undefined): SimDeviceSpec {
  const [profile, port, unit, id] = text.split(':');
  if (!profile) throw new ConfigError(`--device ${text}: must be profile:port[:unit[:id]]`, 'device');
  const spec: SimDeviceSpec = { profile, port: numberOption('device port', port ?? '5020', 0, 65535) };
  if (unit !== undefined && unit !== '') spec.unit = numberOption('device unit', unit, 0, 255);
  if (id) spec.id = id;
  if (host) spec.host = host;
  return spec;
}

function faultFlags(values: Record<string, string | boolean | string[] | undefined>): FaultSpec {
  const rate = (flag: string): number | undefined =>
    numberOption(flag, values[flag] as string | undefined, 0, 1);
  const spec: Record<string, unknown> = {
    dropRate: rate('drop-rate'),
    singleClient: values['single-client'] === true ? true : undefined,
    latencyMs: values.latency === undefined ? undefined : parseLatency(values.latency as string),
    exceptionRate: rate('exception-rate'),
    exceptionCodes: (values['exception-codes'] as string | undefined)
      ?.split(',')
      .map((c) => Number.parseInt(c, 16)),
    malformedRate: rate('malformed-rate'),
    silent: values.silent === true ? true : undefined,
    txidMismatchRate: rate('txid-mismatch-rate'),
  };
  for (const key of Object.keys(spec)) if (spec[key] === undefined) delete spec[key];
  const result = FaultSpecSchema.safeParse(spec);
  if (!result.success)
    throw new ConfigError(`fault flags: ${result.error.issues[0]?.message ?? 'invalid'}`, 'faults');
  return result.data;
}

/** A device serving the capture in `path`, on --port/--host (--unit overrides the capture's). */
function replaySpec(path: string, values: { port?: string; unit?: string; host?: string }): SimDeviceSpec {
  let replay: RegisterCapture;
  try {
    replay = parseCapture(JSON.parse(readFileSync(path, 'utf8')));
  } catch (error) {
    throw new ConfigError(`--replay ${path}: ${(error as Error).message}`, 'replay');
  }
  return {
    profile: replay.profile,
    id: `replay-${replay.device}`,
    port: numberOption('port', values.port ?? '5020', 0, 65535),
    replay,
    ...(values.unit !== undefined ? { unit: numberOption('unit', values.unit, 0, 255) } : {}),
    ...(values.host !== undefined ? { host: values.host } : {}),
  };
}

/** Parses the command line; throws a ConfigError naming the flag. */
export function parseCli(argv: string[]): CliSettings {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      profile: { type: 'string' },
      device: { type: 'string', multiple: true },
      scenario: { type: 'string' },
      replay: { type: 'string' },
      port: { type: 'string' },
      unit: { type: 'string' },
      host: { type: 'string' },
      'rated-power-w': { type: 'string' },
      'profiles-dir': { type: 'string' },
      serial: { type: 'string' },
      solarman: { type: 'string' },
      p1: { type: 'string' },
      'p1-bad-crc-every': { type: 'string' },
      'homewizard-port': { type: 'string' },
      'homewizard-mdns': { type: 'boolean' },
      baud: { type: 'string' },
      seed: { type: 'string' },
      speed: { type: 'string' },
      latitude: { type: 'string' },
      longitude: { type: 'string' },
      'frequency-hz': { type: 'string' },
      'start-time': { type: 'string' },
      'realtime-sun': { type: 'boolean' },
      'drop-rate': { type: 'string' },
      'single-client': { type: 'boolean' },
      latency: { type: 'string' },
      'exception-rate': { type: 'string' },
      'exception-codes': { type: 'string' },
      'malformed-rate': { type: 'string' },
      silent: { type: 'boolean' },
      'txid-mismatch-rate': { type: 'string' },
      'control-port': { type: 'string' },
      stdin: { type: 'boolean' },
      'no-stdin': { type: 'boolean' },
      'ready-json': { type: 'boolean' },
      'log-level': { type: 'string' },
    },
  });
  const settings: CliSettings = {
    help: values.help === true,
    options: { devices: [] },
    stdin: values['no-stdin'] === true ? false : values.stdin === true || process.stdin.isTTY !== true,
    readyJson: values['ready-json'] === true,
    logLevel: values['log-level'],
  };
  if (settings.help) return settings;
  let options: SimulatorOptions = { devices: [] };
  if (values.scenario !== undefined) {
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(values.scenario, 'utf8'));
    } catch (error) {
      throw new ConfigError(`--scenario ${values.scenario}: ${(error as Error).message}`, 'scenario');
    }
    const result = ScenarioSchema.safeParse(data);
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new ConfigError(
        `--scenario ${values.scenario}: ${issue?.path.join('.')}: ${issue?.message}`,
        'scenario',
      );
    }
    const { startTime, ...rest } = result.data;
    options = { ...rest, startTime: parseTime(startTime, 'scenario startTime') };
  }
  const rated = numberOption('rated-power-w', values['rated-power-w'], 1);
  const flagDevices: SimDeviceSpec[] = (values.device ?? []).map((d) => parseDevice(d, values.host));
  if (values.profile !== undefined) {
    flagDevices.push({
      profile: values.profile,
      port: numberOption('port', values.port ?? '5020', 0, 65535),
      ...(values.unit !== undefined ? { unit: numberOption('unit', values.unit, 0, 255) } : {}),
      ...(values.host !== undefined ? { host: values.host } : {}),
    });
  }
  if (values.replay !== undefined) flagDevices.push(replaySpec(values.replay, values));
  const faults = faultFlags(values);
  for (const device of flagDevices) {
    if (rated !== undefined) device.ratedPowerW = rated;
    if (Object.keys(faults).length > 0) device.faults = faults;
  }
  options.devices = [...options.devices, ...flagDevices];
  if (options.devices.length === 0)
    throw new ConfigError('no device: give --profile, --device or --scenario', 'profile');
  const set = <K extends keyof SimulatorOptions>(key: K, value: SimulatorOptions[K] | undefined): void => {
    if (value !== undefined) options[key] = value;
  };
  set('seed', numberOption('seed', values.seed));
  set('speed', numberOption('speed', values.speed, 1e-6));
  set('latitude', numberOption('latitude', values.latitude, -90, 90));
  set('longitude', numberOption('longitude', values.longitude, -180, 180));
  const hz = numberOption('frequency-hz', values['frequency-hz'], 50, 60);
  if (hz !== undefined && hz !== 50 && hz !== 60)
    throw new ConfigError(`--frequency-hz ${hz}: must be 50 or 60`, 'frequency-hz');
  set('frequencyHz', hz as 50 | 60 | undefined);
  set('startTime', parseTime(values['start-time'], 'start-time'));
  if (values['realtime-sun'] === true) options.realtimeSun = true;
  set('controlPort', numberOption('control-port', values['control-port'], 0, 65535));
  set('profilesDir', values['profiles-dir']);
  set('solarmanLoggerSerial', numberOption('solarman', values.solarman, 1, 0xffffffff));
  if (values.p1 !== undefined || values['homewizard-port'] !== undefined) {
    const badCrcEvery = numberOption('p1-bad-crc-every', values['p1-bad-crc-every'], 0, 1_000_000);
    const homewizardPort = numberOption('homewizard-port', values['homewizard-port'], 0, 65535);
    options.p1 = {
      ...(values.p1 !== undefined ? { serialPath: values.p1 } : {}),
      ...(badCrcEvery !== undefined ? { badCrcEvery } : {}),
      ...(homewizardPort !== undefined ? { homewizardPort } : {}),
      ...(values['homewizard-mdns'] === true ? { homewizardMdns: true } : {}),
    };
  }
  if (values.serial !== undefined) {
    settings.serial = {
      path: values.serial,
      baudRate: numberOption('baud', values.baud ?? '9600', 300, 4_000_000)!,
    };
  }
  settings.options = options;
  return settings;
}
