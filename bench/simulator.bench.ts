/**
 * Simulator Modbus TCP server: requests/s and response time (p50/p99) for 2- and 125-register reads,
 * our thin `net` server versus modbus-serial's ServerTCP, in one run. Each server runs in its own
 * child process; the client is a raw socket with one request in flight (as the gateway polls), so
 * the figures are request round trips including the server's work.
 */
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { encodeMbap, MbapFramer } from '../server/src/modbus/mbap-framer.ts';
import type { BenchFigures, BenchOptions } from './bench-types.ts';
import { startServerScript } from './start-server-script.ts';

const OURS = `
import { ModbusTcpServer } from './modbus_slave/src/server/modbus-tcp-server.ts';
const image = { holding: new Map(), input: new Map() };
for (let a = 0; a < 200; a++) image.holding.set(40000 + a, a);
const server = new ModbusTcpServer({ imageFor: () => image });
console.log((await server.listen()).port);
process.stdin.on('end', () => process.exit(0)).resume();
`;

const MODBUS_SERIAL = `
import modbusSerial from 'modbus-serial';
const values = Array.from({ length: 200 }, (_, a) => a);
const server = new modbusSerial.ServerTCP(
  { getMultipleHoldingRegisters: (addr, length) => values.slice(addr - 40000, addr - 40000 + length) },
  { host: '127.0.0.1', port: 0, unitID: 1 },
);
server.on('initialized', () => console.log(server._server.address().port));
process.stdin.on('end', () => process.exit(0)).resume();
`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

/** Sends one read at a time for `seconds`; returns requests/s and latency percentiles. */
async function measure(port: number, count: number, seconds: number): Promise<Record<string, number>> {
  const socket: Socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await once(socket, 'connect');
  const framer = new MbapFramer();
  let waiting: (() => void) | undefined;
  socket.on('data', (chunk: Buffer) => {
    for (const frame of framer.push(chunk)) {
      if (frame.pdu[0] !== 3 || frame.pdu[1] !== count * 2)
        throw new Error(`bad answer ${frame.pdu.toString('hex')}`);
      waiting?.();
    }
  });
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  let transactionId = 0;
  while (performance.now() < end) {
    transactionId = (transactionId + 1) & 0xffff;
    const request = encodeMbap({ transactionId, unit: 1, pdu: Buffer.from([3, 0x9c, 0x40, 0, count]) });
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      waiting = resolve;
      socket.write(request);
    });
    latencies.push(performance.now() - t0);
  }
  socket.destroy();
  latencies.sort((a, b) => a - b);
  const round = (x: number): number => Math.round(x * 1000) / 1000;
  return {
    requestsPerS: Math.round(latencies.length / seconds),
    p50Ms: round(percentile(latencies, 0.5)),
    p99Ms: round(percentile(latencies, 0.99)),
  };
}

/** The benchmark. */
export default async function simulatorBench(options: BenchOptions): Promise<BenchFigures> {
  const seconds = options.quick ? 1.5 : 5;
  const figures: BenchFigures = {};
  for (const [name, code] of [
    ['ours', OURS],
    ['modbusSerial', MODBUS_SERIAL],
  ] as const) {
    const server = await startServerScript(code);
    try {
      await measure(server.port, 2, 0.3); // warm-up
      for (const count of [2, 125]) {
        const result = await measure(server.port, count, seconds);
        for (const [key, value] of Object.entries(result))
          figures[`${name}Read${count}${key[0]!.toUpperCase()}${key.slice(1)}`] = value;
      }
    } finally {
      server.stop();
    }
  }
  return figures;
}
