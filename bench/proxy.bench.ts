// The Modbus proxy for 60 s (issue 13's criterion; the test runs the same scenario for 5 s): three
// clients (pymodbus, modbus-serial, mbpoll) read a single-client simulated meter through the gateway
// while it samples at 10 Hz. Reports mismatched values, device connections, missed slots and lag.
import { matchingPoll, proxySkipReason, runProxyScenario } from '../test/integration/proxy/proxy-scenario.ts';
import type { BenchFigures, BenchOptions } from './bench-types.ts';

export default async function proxyBench({ quick }: BenchOptions): Promise<BenchFigures> {
  if (proxySkipReason) return { skipped: proxySkipReason };
  const durationS = quick ? 10 : 60;
  const r = await runProxyScenario(durationS * 1000);
  const mismatched = r.reads.filter((read) => {
    const poll = matchingPoll(read, r.polls);
    return !poll || (read.atMs !== undefined && read.atMs - poll.atMs > r.toleranceMs + 250);
  }).length;
  const byClient = (client: string): number => r.reads.filter((read) => read.client === client).length;
  return {
    durationS,
    proxiedReads: r.reads.length,
    pymodbusReads: byClient('pymodbus'),
    modbusSerialReads: byClient('modbus-serial'),
    mbpollReads: byClient('mbpoll'),
    mismatchedValues: mismatched,
    clientErrors: r.clientErrors.length,
    cached: r.proxy.requests.cached ?? 0,
    forwarded: r.proxy.requests.forwarded ?? 0,
    refused: r.proxy.requests.refused ?? 0,
    deviceConnections: r.deviceConnections,
    frequencyRuns: r.frequency.runs,
    missedSlots: r.frequency.overruns,
    samplingReadsDelayedByProxy: r.samplingDelayedByProxy,
    frequencyLagP50Ms: Math.round(r.frequency.lagMs.p50 * 100) / 100,
    frequencyLagP99Ms: Math.round(r.frequency.lagMs.p99 * 100) / 100,
    frequencyLagMaxMs: Math.round(r.frequency.lagMs.max * 100) / 100,
    writesRefusedUnlessAllowed: r.writes.allowed === 'ok' && r.writes.refused === 'exception 1',
  };
}
