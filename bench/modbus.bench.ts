/**
 * Modbus client throughput: reads/s and client CPU per read over one TCP connection (one request in
 * flight), against (a) the minimal raw-socket responder of test/fakes and (b) the simulator's Modbus
 * TCP server. Each server runs in its own child process so the CPU figures are the client's alone.
 * Reads are 50 holding registers, the size of a typical harvest block.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SystemClock } from '../server/src/core/clock.ts';
import { ModbusConnection } from '../server/src/modbus/modbus-connection.ts';
import type { BenchFigures, BenchOptions } from './bench-types.ts';
import { startServerScript } from './start-server-script.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const COUNT = 50;

const RESPONDER = `
import { ModbusResponder } from './test/fakes/modbus-responder.ts';
const r = await ModbusResponder.start({ unmapped: 'zero' });
console.log(r.port);
process.stdin.on('end', () => process.exit(0)).resume();
`;

const SIMULATOR = `
import { ModbusTcpServer } from './modbus_slave/src/server/modbus-tcp-server.ts';
const image = { holding: new Map(), input: new Map() };
for (let a = 0; a < ${COUNT}; a++) image.holding.set(40000 + a, a);
const server = new ModbusTcpServer({ imageFor: () => image });
const { port } = await server.listen();
console.log(port);
process.stdin.on('end', () => process.exit(0)).resume();
`;

async function measure(port: number, seconds: number): Promise<BenchFigures> {
  const connection = new ModbusConnection({
    device: 'bench',
    target: { type: 'tcp', host: '127.0.0.1', port },
    clock: new SystemClock(),
  });
  const request = { fc: 3, unit: 1, address: 40000, count: COUNT } as const;
  try {
    for (let i = 0; i < 200; i++) await connection.readRegisters(request); // warm-up: JIT, adaptive timeout
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let reads = 0;
    while (performance.now() - t0 < seconds * 1000) {
      await connection.readRegisters(request);
      reads++;
    }
    const elapsedS = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const stats = connection.stats();
    return {
      readsPerSecond: Math.round(reads / elapsedS),
      cpuUsPerRead: Math.round(((cpu.user + cpu.system) / reads) * 10) / 10,
      latencyP50Ms: stats.latencyMs.p50,
      latencyP99Ms: stats.latencyMs.p99,
      failures: stats.failures,
    };
  } finally {
    await connection.close();
  }
}

/** The benchmark: raw responder, then the simulator's server when present. */
export default async function modbusBench(options: BenchOptions): Promise<BenchFigures> {
  const seconds = options.quick ? 2 : 10;
  const figures: BenchFigures = { registersPerRead: COUNT, secondsPerTarget: seconds };
  const targets: Array<[string, string]> = [['raw', RESPONDER]];
  if (existsSync(`${root}/modbus_slave/src/server/modbus-tcp-server.ts`)) targets.push(['sim', SIMULATOR]);
  for (const [name, code] of targets) {
    const server = await startServerScript(code);
    try {
      for (const [key, value] of Object.entries(await measure(server.port, seconds)))
        figures[`${name}.${key}`] = value;
    } finally {
      server.stop();
    }
  }
  return figures;
}
