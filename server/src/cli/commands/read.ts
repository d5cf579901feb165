/** `egw read`: reads one device once over Modbus TCP or RTU and prints its canonical reading. */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { DeviceConfig, ModbusDeviceConfig } from '../../config/schema.ts';
import { SystemClock } from '../../core/clock.ts';
import { integerOption } from '../../core/cli-program.ts';
import { UsageError } from '../../core/errors.ts';
import { silentLogger } from '../../core/logger.ts';
import type { Reading } from '../../core/reading.ts';
import type { DeviceReader } from '../../devices/device-reader.ts';
import { CAPTURE_FORMAT } from '../../profiles/register-capture.ts';
import { openDeviceReader } from '../../devices/open-device-reader.ts';
import type { ModbusTimeouts } from '../../modbus/modbus-connection.ts';
import { ProfileRegistry } from '../../profiles/profile-registry.ts';
import { transportDefaults } from '../../devices/profile-defaults.ts';
import type { CliCommand } from '../command.ts';

/** Options shared by `egw read` and `egw scan` to name a Modbus target. */
export const targetOptions = {
  host: { type: 'string' },
  port: { type: 'string' },
  serial: { type: 'string' },
  baud: { type: 'string' },
  parity: { type: 'string' },
  unit: { type: 'string' },
  timeout: { type: 'string' },
  solarman: { type: 'string' },
  'profiles-dir': { type: 'string' },
  json: { type: 'boolean' },
} as const;

type TargetValues = Partial<
  Record<'host' | 'port' | 'serial' | 'baud' | 'parity' | 'unit' | 'timeout' | 'solarman', string>
>;

/**
 * The device config a command line names (profile and id filled in by the caller); without --unit and
 * --port the profile's defaults (e.g. unit 3 for sma), else 1 and 502.
 */
export function deviceFromArgs(
  values: TargetValues,
  id: string,
  profile: string,
  profiles?: ProfileRegistry,
): ModbusDeviceConfig {
  const defaults = transportDefaults(profile, profiles);
  const unit = integerOption('unit', values.unit, defaults.unit, 0, 255);
  if ((values.host === undefined) === (values.serial === undefined)) {
    throw new UsageError('name the device with either --host H (Modbus TCP) or --serial PATH (RTU)');
  }
  if (values.host !== undefined && values.solarman !== undefined) {
    const loggerSerial = integerOption('solarman', values.solarman, 0, 1, 0xffffffff);
    const port = integerOption('port', values.port, 8899, 1, 65535);
    return { id, type: 'solarmanv5', host: values.host, port, loggerSerial, unit, profile };
  }
  if (values.host !== undefined) {
    const port = integerOption('port', values.port, defaults.port, 1, 65535);
    return { id, type: 'tcp', host: values.host, port, unit, profile, closeBetweenPolls: false };
  }
  const parity = values.parity ?? 'none';
  if (parity !== 'none' && parity !== 'even' && parity !== 'odd') {
    throw new UsageError(`--parity ${parity}: must be none, even or odd`);
  }
  const baud = integerOption('baud', values.baud, 9600, 1200, 921600);
  return { id, type: 'rtu', path: values.serial ?? '', baud, parity, unit, profile };
}

/** Timeouts from --timeout MS: connect and request ceiling. */
export function timeoutsFromArgs(text: string | undefined): Partial<ModbusTimeouts> {
  const ms = integerOption('timeout', text, 3000, 50, 120_000);
  return { connectMs: ms, maxMs: ms, minMs: Math.min(250, ms) };
}

const UNITS: Array<[RegExp, string]> = [
  [/_wh$/, 'Wh'],
  [/_w$/, 'W'],
  [/_v$/, 'V'],
  [/_a$/, 'A'],
  [/_hz$/, 'Hz'],
  [/_c$/, '°C'],
  [/_pct$/, '%'],
  [/_ms$/, 'ms'],
];

/** A reading as an aligned two-column table. */
export function formatReading(reading: Reading): string {
  const entries = Object.entries(reading);
  const width = Math.max(...entries.map(([field]) => field.length));
  return entries
    .map(([field, value]) => {
      const unit = UNITS.find(([pattern]) => pattern.test(field))?.[1];
      const text = field === 'ts' ? `${new Date(value as number).toISOString()} (${value})` : String(value);
      return `${field.padEnd(width)}  ${text}${unit ? ` ${unit}` : ''}`;
    })
    .join('\n');
}

/**
 * Writes the raw blocks of the poll just made to `path` (the good poll, else the failed one's blocks
 * read before the failure), for `egw-sim --replay`. A reader without registers (P1) has none.
 */
function writeCapture(reader: DeviceReader, path: string, readOk: boolean): void {
  const capture = readOk ? reader.lastPoll?.() : reader.registerCaptures?.().at(-1);
  if (!capture) {
    // After a failed read the read's own error is the one to report.
    if (readOk) throw new UsageError(`--capture ${path}: this device has no raw registers to capture`);
    return;
  }
  writeFileSync(path, `${JSON.stringify({ format: CAPTURE_FORMAT, ...capture }, null, 1)}\n`);
}

/** The `read` subcommand. */
export const readCommand: CliCommand = {
  name: 'read',
  summary: 'Read one Modbus device once and print its canonical reading',
  usage: [
    'Usage: egw read --host H [--port P] [--unit U] --profile ID [--json] [--timeout MS] [--capture FILE]',
    '       egw read --serial PATH [--baud B] [--parity P] [--unit U] --profile ID [--json]',
    '       egw read --host H --solarman LOGGER_SERIAL [--port 8899] [--unit U] --profile ID [--json]',
    '       egw read --p1 PATH [--baud 115200] [--json]         (smart meter P1 port, DSMR 4/5)',
    '       egw read --homewizard HOST [--port 80] [--json]     (HomeWizard P1 meter, local API)',
    '',
    'Reads the device once and prints its reading (SI units, absent fields omitted). Exits 1 with',
    'a one-line reason on stderr when the device cannot be read.',
    '',
    'Options:',
    '  --host H            Modbus TCP host',
    "  --port P            TCP port (default: the profile's, e.g. 1502 for solaredge, else 502;",
    '                      8899 with --solarman)',
    '  --solarman SERIAL   the host is a Solarman V5 logger stick with this serial number',
    "  --p1 PATH           read a smart meter's P1 port (DSMR telegrams) on this serial device",
    '  --homewizard HOST   read a HomeWizard P1 meter through its local HTTP API',
    '  --serial PATH       serial device for Modbus RTU, e.g. /dev/ttyUSB0',
    '  --baud B            RTU baud rate (default 9600)',
    '  --parity P          RTU parity: none (default), even or odd',
    "  --unit U            Modbus unit id (default: the profile's, e.g. 3 for sma, 247 for goodwe, else 1;",
    "                      with --profile auto each identify rule is tried at its profile's unit)",
    '  --profile ID        profile id (`egw profiles` lists them with their unit and port), "sunspec",',
    '                      or "auto" to identify the device',
    '  --id NAME           device id put in the reading (default "device")',
    '  --json              print one JSON object instead of a table',
    '  --timeout MS        connect and request timeout, ms (default 3000)',
    '  --capture FILE      also write the raw register blocks of this poll to FILE (JSON); egw-sim',
    '                      --replay FILE serves them, so the same reading can be reproduced',
    '  --profiles-dir DIR  extra profile files (YAML or JSON)',
    '',
    'Examples:',
    '  egw read --host 192.168.1.50 --profile sunspec',
    '  egw read --host 192.168.1.60 --unit 1 --profile huawei --json',
    '  egw read --serial /dev/ttyUSB0 --baud 9600 --unit 2 --profile sdm630',
  ].join('\n'),
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        ...targetOptions,
        profile: { type: 'string' },
        id: { type: 'string' },
        p1: { type: 'string' },
        homewizard: { type: 'string' },
        capture: { type: 'string' },
      },
      strict: true,
    });
    const id = values.id ?? 'device';
    const profiles = ProfileRegistry.load(values['profiles-dir'] ? { extraDir: values['profiles-dir'] } : {});
    let device: DeviceConfig;
    if (values.p1 !== undefined) {
      device = {
        id,
        type: 'p1',
        path: values.p1,
        baud: integerOption('baud', values.baud, 115200, 1200, 921600),
        profile: 'dsmr',
      };
    } else if (values.homewizard !== undefined) {
      device = {
        id,
        type: 'homewizard',
        host: values.homewizard,
        port: integerOption('port', values.port, 80, 1, 65535),
        profile: 'homewizard',
      };
    } else {
      if (values.profile === undefined) throw new UsageError('--profile ID is required (or --profile auto)');
      device = deviceFromArgs(values, id, values.profile, profiles);
    }
    const timeouts = timeoutsFromArgs(values.timeout);
    const reader = await openDeviceReader(device, {
      clock: new SystemClock(),
      logger: silentLogger(),
      profiles,
      timeouts,
      // `--profile auto` without --unit: each identify rule at its profile's unit (SMA 3, GoodWe 247 …).
      searchUnits: values.unit === undefined,
    });
    try {
      let reading: Reading;
      try {
        reading = await reader.read();
      } catch (error) {
        if (values.capture !== undefined) writeCapture(reader, values.capture, false);
        throw error;
      }
      if (values.capture !== undefined) writeCapture(reader, values.capture, true);
      io.stdout.write(values.json ? `${JSON.stringify(reading)}\n` : `${formatReading(reading)}\n`);
      return 0;
    } finally {
      await reader.close();
    }
  },
};
