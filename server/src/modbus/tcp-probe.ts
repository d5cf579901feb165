/**
 * Which hosts of a subnet accept TCP connections on the Modbus port: the first step of
 * `egw scan --subnet`. Connects and closes at once; many probes run side by side.
 */
import net from 'node:net';
import type { Clock } from '../core/clock.ts';
import { ValidationError } from '../core/errors.ts';

/** Whether host:port accepts a TCP connection within timeoutMs. */
export function tcpPortOpen(clock: Clock, host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const finish = (open: boolean): void => {
      timer.cancel();
      socket.destroy();
      resolve(open);
    };
    const timer = clock.setTimer(`tcp-probe:${host}`, timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

/** The host addresses of an IPv4 CIDR block (network and broadcast excluded for prefixes < 31). */
export function subnetHosts(cidr: string): string[] {
  const match = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr.trim());
  const octets = match?.slice(1, 5).map(Number) ?? [];
  const prefix = Number(match?.[5]);
  if (!match || octets.some((o) => o > 255) || prefix < 16 || prefix > 32) {
    throw new ValidationError(
      `subnet "${cidr}": want an IPv4 CIDR block from /16 to /32, e.g. 192.168.1.0/24`,
      'subnet',
    );
  }
  const base = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  const network = base - (base % size);
  const first = prefix < 31 ? network + 1 : network;
  const last = prefix < 31 ? network + size - 2 : network + size - 1;
  const hosts: string[] = [];
  for (let a = first; a <= last; a++)
    hosts.push([a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255].join('.'));
  return hosts;
}

/** The hosts of `hosts` with `port` open, probing `concurrency` at a time, in input order. */
export async function openHosts(
  clock: Clock,
  hosts: readonly string[],
  port: number,
  options: { timeoutMs: number; concurrency: number; onProgress?: (done: number, total: number) => void },
): Promise<string[]> {
  const open = new Array<boolean>(hosts.length).fill(false);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < hosts.length) {
      const index = next++;
      open[index] = await tcpPortOpen(clock, hosts[index] ?? '', port, options.timeoutMs);
      options.onProgress?.(++done, hosts.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, hosts.length) }, worker));
  return hosts.filter((_, i) => open[i]);
}
