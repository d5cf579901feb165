/**
 * The Modbus proxy scenario shared by the integration test and the 60 s bench: the real gateway
 * samples a simulated single-client meter at 10 Hz while three independent clients — pymodbus
 * (Debian python3-pymodbus), modbus-serial and mbpoll — read it through the proxy at once. Every
 * register read the gateway makes on the device's one connection is logged, so each proxied answer
 * can be checked against the device's values at that poll.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import modbusSerial from 'modbus-serial';
import { startSimulator, type RunningSimulator } from '../../../modbus_slave/src/simulator.ts';
import { ConfigSchema } from '../../../server/src/config/schema.ts';
import { SystemClock } from '../../../server/src/core/clock.ts';
import { silentLogger } from '../../../server/src/core/logger.ts';
import { createDeviceReader } from '../../../server/src/devices/create-device-reader.ts';
import { Scheduler } from '../../../server/src/engine/scheduler.ts';
import type { TaskKindStats } from '../../../server/src/engine/task.ts';
import { startGateway, type RunningGateway } from '../../../server/src/gateway/start-gateway.ts';
import { freePort } from '../egw-process.ts';
import { createWifiManager } from '../../../server/src/wifi/create-wifi-manager.ts';

/** Debian's Python (python3-pymodbus) and mbpoll. */
export const PYTHON = '/usr/bin/python3';
export const MBPOLL = '/usr/bin/mbpoll';
export const proxySkipReason: string | false = !existsSync(MBPOLL)
  ? 'mbpoll not installed (apt-get install mbpoll)'
  : !existsSync('/usr/lib/python3/dist-packages/pymodbus')
    ? 'pymodbus not installed (apt-get install python3-pymodbus)'
    : false;

/** One register read the gateway made on the device's connection. */
export interface Poll {
  fc: 3 | 4;
  address: number;
  values: number[];
  /** Wall ms when the reply arrived. */
  atMs: number;
}

/** One answer a proxy client got. */
export interface ProxiedRead {
  client: 'pymodbus' | 'modbus-serial' | 'mbpoll';
  fc: 3 | 4;
  address: number;
  values: number[];
  /** Wall ms when the answer arrived (absent for mbpoll, which prints no times). */
  atMs?: number;
}

export interface ProxyScenarioResult {
  polls: Poll[];
  reads: ProxiedRead[];
  /** Errors the clients saw (one line each). */
  clientErrors: string[];
  writes: { allowed: string; refused: string; refusedMulti: string };
  /** TCP connections the simulated device accepted in total. */
  deviceConnections: number;
  frequency: TaskKindStats;
  /** Sampling reads that waited for a proxied request on the wire. */
  samplingDelayedByProxy: number;
  toleranceMs: number;
  proxy: { requests: Record<string, number>; connectionsTotal: number };
  metrics: string;
}

const wallMs = (): number => performance.timeOrigin + performance.now();

/** The allow-listed register: one of the meter's parameter registers (holding 0x0014), writable on the device. */
export const WRITABLE = 0x0014;

const PYMODBUS_CLIENT = `
import json, sys, time
from pymodbus.client import ModbusTcpClient
port, until = int(sys.argv[1]), float(sys.argv[2]) / 1000
c = ModbusTcpClient('127.0.0.1', port=port, timeout=3)
c.connect()
plan = [(4, 0, 76), (4, 70, 2), (3, 64512, 2), (4, 52, 2)]
i = 0
while time.time() < until:
    fc, address, count = plan[i % len(plan)]
    i += 1
    rr = (c.read_input_registers if fc == 4 else c.read_holding_registers)(address, count, slave=1)
    t = time.time() * 1000
    if rr.isError():
        print(json.dumps({"error": str(rr)}), flush=True)
    else:
        print(json.dumps({"fc": fc, "address": address, "values": rr.registers, "atMs": t}), flush=True)
    time.sleep(0.03)
c.close()
`;

function runPymodbus(port: number, untilMs: number, reads: ProxiedRead[], errors: string[]): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(PYTHON, ['-c', PYMODBUS_CLIENT, String(port), String(untilMs)]);
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        const row = JSON.parse(line) as Partial<ProxiedRead> & { error?: string };
        if (row.error) errors.push(`pymodbus: ${row.error}`);
        else
          reads.push({
            client: 'pymodbus',
            fc: row.fc!,
            address: row.address!,
            values: row.values!,
            atMs: row.atMs!,
          });
      }
    });
    child.stderr.on('data', (chunk: Buffer) => errors.push(`pymodbus stderr: ${chunk.toString().trim()}`));
    child.on('close', () => resolve());
  });
}

/** mbpoll polls input registers 70–71 (the frequency) every 100 ms until stopped. */
function runMbpoll(port: number, durationMs: number, reads: ProxiedRead[], errors: string[]): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(MBPOLL, [
      '-m',
      'tcp',
      '-a',
      '1',
      '-0',
      '-r',
      '70',
      '-c',
      '2',
      '-t',
      '3:hex',
      '-l',
      '100',
      '-p',
      String(port),
      '127.0.0.1',
    ]);
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => errors.push(`mbpoll: ${chunk.toString().trim()}`));
    const timer = setTimeout(() => child.kill('SIGINT'), durationMs);
    child.on('close', () => {
      clearTimeout(timer);
      for (const block of text.split('-- Polling slave 1...').slice(1)) {
        const values = [...block.matchAll(/\[(\d+)\]:\s+0x([0-9A-F]{4})/g)].map((m) => parseInt(m[2]!, 16));
        if (values.length === 2) reads.push({ client: 'mbpoll', fc: 4, address: 70, values });
        else if (/failed/i.test(block)) errors.push(`mbpoll: ${block.trim().split('\n').pop()}`);
      }
      resolve();
    });
  });
}

async function runModbusSerial(
  port: number,
  untilMs: number,
  reads: ProxiedRead[],
  errors: string[],
): Promise<void> {
  const client = new modbusSerial.default();
  await client.connectTCP('127.0.0.1', { port });
  client.setID(1);
  client.setTimeout(3000);
  const plan: [3 | 4, number, number][] = [
    [4, 0, 76],
    [4, 70, 2],
    [3, 64512, 2],
  ];
  try {
    for (let i = 0; wallMs() < untilMs; i++) {
      const [fc, address, count] = plan[i % plan.length]!;
      try {
        const result =
          fc === 4
            ? await client.readInputRegisters(address, count)
            : await client.readHoldingRegisters(address, count);
        reads.push({ client: 'modbus-serial', fc, address, values: result.data, atMs: wallMs() });
      } catch (error) {
        errors.push(`modbus-serial: ${(error as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await new Promise<void>((resolve) => client.close(() => resolve()));
  }
}

/** Sends one raw request and returns the answer's PDU as hex. */
async function rawRequest(port: number, pdu: number[]): Promise<string> {
  const client = new modbusSerial.default();
  await client.connectTCP('127.0.0.1', { port });
  client.setID(1);
  client.setTimeout(3000);
  try {
    if (pdu[0] === 6) await client.writeRegister(pdu[1]!, pdu[2]!);
    else await client.writeRegisters(pdu[1]!, pdu.slice(2));
    return 'ok';
  } catch (error) {
    const code = (error as { modbusCode?: number }).modbusCode;
    return code === undefined ? `error: ${(error as Error).message}` : `exception ${code}`;
  } finally {
    await new Promise<void>((resolve) => client.close(() => resolve()));
  }
}

/** Runs the scenario for durationMs and returns what each side saw. */
export async function runProxyScenario(durationMs: number): Promise<ProxyScenarioResult> {
  const clock = new SystemClock();
  const logger = silentLogger();
  const dataDir = await mkdtemp(join(tmpdir(), 'egw-proxy-'));
  let simulator: RunningSimulator | undefined;
  let gateway: RunningGateway | undefined;
  const engine = new Scheduler({ clock, logger });
  const polls: Poll[] = [];
  const toleranceMs = 300;
  let delayedByProxy = (): number => 0;
  try {
    simulator = await startSimulator({
      devices: [{ profile: 'sdm630', id: 'meter', faults: { singleClient: true } }],
    });
    const device = simulator.devices[0]!;
    const proxyPort = await freePort();
    const config = ConfigSchema.parse({
      dataDir,
      http: { host: '127.0.0.1', port: 0 },
      harvest: { intervalMs: 1000, frequencyHz: 10 },
      devices: [
        {
          id: 'meter',
          type: 'tcp',
          host: device.host,
          port: device.port,
          unit: device.unit,
          profile: 'sdm630',
          proxyPort,
          proxyToleranceMs: toleranceMs,
          proxyWritable: [WRITABLE],
        },
      ],
    });
    engine.start();
    gateway = await startGateway(
      { config, clock, logger, engine },
      {
        openReader: (d, { profiles, observer }) => {
          const reader = createDeviceReader(d, { clock, logger, profiles, observer });
          delayedByProxy = () => reader.connection.delayedByLowPriority;
          // Log every reply on the device's one connection: what the device said at that poll.
          const cache = reader.connection.cache;
          const record = cache.record.bind(cache);
          cache.record = (unit, fc, address, values, atMs) => {
            polls.push({ fc, address, values: [...values], atMs: wallMs() });
            record(unit, fc, address, values, atMs);
          };
          return reader;
        },
        createUplinks: async () => [],
        wifi: createWifiManager({ clock, logger }),
      },
    );
    // Let the first harvest land so the cache has the whole block.
    await new Promise((r) => setTimeout(r, 1200));
    const reads: ProxiedRead[] = [];
    const clientErrors: string[] = [];
    const untilMs = wallMs() + durationMs;
    await Promise.all([
      runPymodbus(proxyPort, untilMs, reads, clientErrors),
      runModbusSerial(proxyPort, untilMs, reads, clientErrors),
      runMbpoll(proxyPort, durationMs, reads, clientErrors),
    ]);
    const writes = {
      allowed: await rawRequest(proxyPort, [6, WRITABLE, 0x00af]),
      refused: await rawRequest(proxyPort, [6, 0x0000, 1]),
      refusedMulti: await rawRequest(proxyPort, [16, WRITABLE, 0x00af, 0x1ee2]),
    };
    const frequency = engine.stats()['frequency']!;
    const info = gateway.devices.get('meter')!;
    const metrics = await (await fetch(`http://127.0.0.1:${gateway.httpPort}/metrics`)).text();
    return {
      polls,
      reads,
      clientErrors,
      writes,
      deviceConnections: simulator.stats().devices[0]!.server.connectionsTotal,
      frequency,
      samplingDelayedByProxy: delayedByProxy(),
      toleranceMs,
      proxy: { requests: info.proxy!.requests, connectionsTotal: info.proxy!.connectionsTotal },
      metrics,
    };
  } finally {
    await engine.stop(3000);
    await gateway?.stop();
    await simulator?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The newest poll an answer can have come from: same function, covering the range, the same values. */
export function matchingPoll(read: ProxiedRead, polls: readonly Poll[]): Poll | undefined {
  return polls.findLast(
    (p) =>
      p.fc === read.fc &&
      p.address <= read.address &&
      read.address + read.values.length <= p.address + p.values.length &&
      read.values.every((v, i) => p.values[read.address - p.address + i] === v) &&
      (read.atMs === undefined || p.atMs <= read.atMs + 5),
  );
}
