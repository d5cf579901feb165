/** `egw scan`: finds Modbus devices (unit ids on a host or serial line, or hosts in a subnet) and identifies their profile. */
import { parseArgs } from 'node:util';
import type { TextSink } from '../../core/cli-io.ts';
import { SystemClock } from '../../core/clock.ts';
import { integerOption } from '../../core/cli-program.ts';
import { UsageError } from '../../core/errors.ts';
import { silentLogger } from '../../core/logger.ts';
import { targetOf } from '../../devices/create-device-reader.ts';
import { parseUnits, scanUnits, type ScanResult } from '../../devices/scan-units.ts';
import { Backoff } from '../../core/backoff.ts';
import { ModbusConnection } from '../../modbus/modbus-connection.ts';
import { describeTarget } from '../../modbus/modbus-link.ts';
import { openHosts, subnetHosts } from '../../modbus/tcp-probe.ts';
import { ProfileRegistry } from '../../profiles/profile-registry.ts';
import type { CliCommand } from '../command.ts';
import { deviceFromArgs, targetOptions, timeoutsFromArgs } from './read.ts';

/** A one-line progress bar on stderr, only when stderr is a terminal. */
function progress(label: string, stderr: TextSink): (done: number, total: number, found?: number) => void {
  if (!stderr.isTTY) return () => {};
  return (done, total, found) => {
    const width = 30;
    const filled = Math.round((done / total) * width);
    const tail = found === undefined ? '' : `, ${found} found`;
    stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}${tail}`);
    if (done === total) stderr.write('\n');
  };
}

/** Results as an aligned table. */
export function formatScan(results: readonly ScanResult[]): string {
  const header = ['TARGET', 'UNIT', 'PROFILE', 'MAKE', 'MODEL', 'SERIAL', 'HOW'];
  const rows = results.map((r) => [
    r.target,
    String(r.unit),
    r.profile ?? '-',
    r.make ?? '',
    r.model ?? '',
    r.serial ?? '',
    r.how,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The `scan` subcommand. */
export const scanCommand: CliCommand = {
  name: 'scan',
  summary: 'Find Modbus devices and identify their profile',
  usage: [
    'Usage: egw scan --host H [--port P] [--units 1-247] [--json] [--timeout MS]',
    '       egw scan --serial PATH [--baud B] [--parity P] [--units 1-247] [--json]',
    '       egw scan --subnet 192.168.1.0/24 [--port 502] [--units 1] [--json]',
    '       egw scan --mdns [--timeout MS] [--json]',
    '',
    'Asks each unit id for holding registers 40000-40001; a unit that answers (data or an exception',
    'other than the gateway exceptions 0A/0B) is present and is identified: SunSpec chain first, then',
    "each profile's identification registers. With --subnet, hosts with the port open are scanned.",
    'Exits 1 with a one-line reason on stderr when nothing answers.',
    '',
    'Options:',
    '  --host H            Modbus TCP host',
    '  --subnet CIDR       scan every host of an IPv4 block (/16 to /32) with the port open',
    '  --mdns              list gateways (_egw._tcp), HomeWizard (_hwenergy._tcp) and Enphase',
    '                      (_enphase-envoy._tcp) devices that advertise over mDNS (--timeout: 3000)',
    '  --port P            TCP port (default 502)',
    '  --serial PATH       serial device for Modbus RTU, e.g. /dev/ttyUSB0',
    '  --baud B            RTU baud rate (default 9600)',
    '  --parity P          RTU parity: none (default), even or odd',
    '  --units LIST        unit ids, e.g. 1-247 or 1,2,10-20 (default 1-247; 1 with --subnet)',
    '  --timeout MS        per-request timeout, ms (default 500); absent units cost one timeout each',
    '  --json              print a JSON array instead of a table',
    '  --profiles-dir DIR  extra profile files (YAML or JSON)',
    '',
    'Examples:',
    '  egw scan --host 192.168.1.50 --units 1-10',
    '  egw scan --subnet 192.168.1.0/24 --json',
    '  egw scan --serial /dev/ttyUSB0 --baud 9600 --units 1-5',
  ].join('\n'),
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        ...targetOptions,
        units: { type: 'string' },
        subnet: { type: 'string' },
        mdns: { type: 'boolean' },
      },
      strict: true,
    });
    if (values.mdns) {
      const { scanMdns } = await import('./scan-mdns.ts');
      return scanMdns(integerOption('timeout', values.timeout, 3000, 100, 60_000), values.json, io);
    }
    const clock = new SystemClock();
    const timeoutMs = integerOption('timeout', values.timeout, 500, 50, 120_000);
    const units = parseUnits(values.units ?? (values.subnet ? '1' : '1-247'));
    let targets: Array<ReturnType<typeof targetOf>>;
    if (values.subnet !== undefined) {
      if (values.host !== undefined || values.serial !== undefined)
        throw new UsageError('--subnet goes without --host and --serial', 'subnet');
      const port = integerOption('port', values.port, 502, 1, 65535);
      const hosts = await openHosts(clock, subnetHosts(values.subnet), port, {
        timeoutMs,
        concurrency: 64,
        onProgress: progress(`probing ${values.subnet}:${port}`, io.stderr),
      });
      targets = hosts.map((host) => ({ type: 'tcp', host, port }));
    } else {
      targets = [
        targetOf(deviceFromArgs({ ...values, timeout: undefined, unit: undefined }, 'scan', 'auto')),
      ];
    }
    const profiles = ProfileRegistry.load(values['profiles-dir'] ? { extraDir: values['profiles-dir'] } : {});
    const logger = silentLogger();
    const results: ScanResult[] = [];
    for (const target of targets) {
      const connection = new ModbusConnection({
        device: 'scan',
        target,
        clock,
        logger,
        timeouts: {
          ...timeoutsFromArgs(String(Math.max(timeoutMs, 1000))),
          minMs: Math.min(250, timeoutMs),
          maxMs: timeoutMs,
        },
        // Absent units are silent: every one costs a reconnect, so keep the pauses short and wait them out.
        backoff: new Backoff({ initialMs: 20, maxMs: 200 }),
        waitForReconnect: true,
      });
      try {
        const name = describeTarget(target);
        results.push(
          ...(await scanUnits({
            connection,
            target: name,
            units,
            profiles,
            logger,
            onProgress: progress(`scanning ${name}`, io.stderr),
          })),
        );
      } catch (error) {
        // One host of a subnet going away must not end the scan of the others.
        if (targets.length === 1) throw error;
      } finally {
        await connection.close();
      }
    }
    if (results.length === 0) {
      const where = values.subnet ?? (targets[0] ? describeTarget(targets[0]) : '');
      io.stderr.write(
        `egw scan: no Modbus device answered at ${where} (units ${values.units ?? (values.subnet ? '1' : '1-247')})\n`,
      );
      return 1;
    }
    io.stdout.write(values.json ? `${JSON.stringify(results)}\n` : `${formatScan(results)}\n`);
    return 0;
  },
};
