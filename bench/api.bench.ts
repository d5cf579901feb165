/**
 * Web API under load. (1) GET /api/stats over fake services: requests/s and latency of the API alone.
 * (2) The real gateway sampling 32 simulated SunSpec inverters at 10 Hz (simulator in a child
 * process): the frequency tasks' start lag measured while idle and then while autocannon (also a child
 * process, 16 connections) hammers GET /api/stats, then GET /metrics — so the figures show what API
 * load costs sampling, and (stats503Share, metrics503Share) how much of it load shedding refused.
 * (3) The large-response flood: the outbox holds 1000 batches of ten full readings (~6 MB as JSON) and
 * 20 connections ask for GET /api/harvests?limit=1000 for 30 s; harvestsMissedShare is the share of
 * the 10 Hz slots without a run started within one period (1 − on-time runs / slots).
 * The machine is shared: every sampling phase also reports the 1-minute load average at its start and
 * the CPU the bench process (the gateway; the simulator and autocannon are child processes) used, in
 * % of one core — a figure the other processes on the machine do not skew, unlike the lags.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SystemClock } from '../server/src/core/clock.ts';
import { startLocalGateway } from '../server/src/demo/start-local-gateway.ts';
import { startSimProcess } from '../test/e2e/pipeline-harness.ts';
import { startHarness } from '../test/integration/api/api-harness.ts';
import { prefillOutbox } from '../test/fixtures/prefill-outbox.ts';
import type { BenchFigures, BenchOptions } from './bench-types.ts';
import { autocannon, type LoadResult } from './autocannon-child.ts';

const DEVICES = 32;
const CONNECTIONS = 16;
const HARVEST_CONNECTIONS = 20;
const HARVEST_BATCHES = 1000;
const round = (n: number): number => Math.round(n * 100) / 100;
const round4 = (n: number): number => Math.round(n * 10_000) / 10_000;
const rank = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;

async function fakeApiPhase(seconds: number): Promise<LoadResult> {
  const harness = await startHarness();
  try {
    return await autocannon(`${harness.base}/api/stats`, seconds, CONNECTIONS);
  } finally {
    await harness.close();
  }
}

/** CPU of this process (the gateway) over a phase, % of one core, and the load average at its start. */
function phaseMeter(): () => BenchFigures {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const load = loadavg()[0] ?? 0;
  return () => {
    const used = process.cpuUsage(cpu0);
    const wallUs = (performance.now() - t0) * 1000;
    return { CpuPct: round(((used.user + used.system) / wallUs) * 100), Load1mAtStart: round(load) };
  };
}

/** Prefixes the keys of a phase's figures. */
const prefixed = (prefix: string, figures: BenchFigures): BenchFigures =>
  Object.fromEntries(Object.entries(figures).map(([k, v]) => [`${prefix}${k}`, v]));

function lagFigures(prefix: string, lags: number[], overruns: number, seconds: number): BenchFigures {
  const sorted = [...lags].sort((a, b) => a - b);
  return {
    [`${prefix}FrequencyRuns`]: lags.length,
    [`${prefix}FrequencyRunsExpected`]: DEVICES * 10 * seconds,
    [`${prefix}LagP50Ms`]: round(rank(sorted, 50)),
    [`${prefix}LagP99Ms`]: round(rank(sorted, 99)),
    [`${prefix}LagMaxMs`]: round(sorted[sorted.length - 1] ?? 0),
    [`${prefix}Overruns`]: overruns,
    // Missed slots: skipped (overrun) or started more than one 100 ms period late, over all slots.
    [`${prefix}MissedShare`]: round4(
      (overruns + lags.filter((l) => l > 100).length) / Math.max(1, lags.length + overruns),
    ),
  };
}

/** The benchmark. */
export default async function apiBench({ quick }: BenchOptions): Promise<BenchFigures> {
  const fakeSeconds = quick ? 2 : 10;
  const phaseSeconds = quick ? 3 : 15;
  const fake = await fakeApiPhase(fakeSeconds);

  const clock = new SystemClock();
  let phase: 'warmup' | 'idle' | 'load' | 'metrics' | 'harvests' = 'warmup';
  const lags = {
    idle: [] as number[],
    load: [] as number[],
    metrics: [] as number[],
    harvests: [] as number[],
  };
  const overruns = { idle: 0, load: 0, metrics: 0, harvests: 0 };
  const harvestSeconds = quick ? 5 : 30;
  const dataDir = mkdtempSync(join(tmpdir(), 'egw-bench-api-'));
  prefillOutbox(dataDir, HARVEST_BATCHES);
  const { gateway, stop } = await startLocalGateway({
    simulator: await startSimProcess({
      devices: Array.from({ length: DEVICES }, (_, i) => ({ profile: 'sunspec', id: `inv${i}` })),
    }),
    config: { dataDir, harvest: { intervalMs: 1000, frequencyHz: 10 } },
    clock,
    observer: {
      runFinished: (r) => {
        if (r.kind === 'frequency' && phase !== 'warmup') lags[phase].push(r.lagMs);
      },
      overrun: (kind) => {
        if (kind === 'frequency' && phase !== 'warmup') overruns[phase] += 1;
      },
    },
  });
  try {
    await clock.sleep(quick ? 1500 : 4000); // connections up, profiles resolved
    phase = 'idle';
    let meter = phaseMeter();
    await clock.sleep(phaseSeconds * 1000);
    const idleCpu = meter();
    phase = 'load';
    meter = phaseMeter();
    const load = await autocannon(
      `http://127.0.0.1:${gateway.httpPort}/api/stats`,
      phaseSeconds,
      CONNECTIONS,
    );
    // A calm pause (load shedding holds for a while after sampling was behind), then /metrics: a heavy
    // read that is not cached, so only shedding protects sampling from it.
    const loadCpu = meter();
    phase = 'warmup';
    await clock.sleep(quick ? 1000 : 12_000);
    phase = 'metrics';
    meter = phaseMeter();
    const metrics = await autocannon(
      `http://127.0.0.1:${gateway.httpPort}/metrics`,
      phaseSeconds,
      CONNECTIONS,
    );
    const metricsCpu = meter();
    phase = 'warmup';
    await clock.sleep(quick ? 1000 : 12_000);
    phase = 'harvests';
    meter = phaseMeter();
    const harvests = await autocannon(
      `http://127.0.0.1:${gateway.httpPort}/api/harvests?limit=${HARVEST_BATCHES}`,
      harvestSeconds,
      HARVEST_CONNECTIONS,
    );
    const harvestsCpu = meter();
    phase = 'warmup';
    return {
      // Other processes on the machine skew every figure; the 1-minute load average says how much.
      loadAverage1m: round(loadavg()[0] ?? 0),
      devices: DEVICES,
      connections: CONNECTIONS,
      fakeStatsReqPerS: fake.reqPerS,
      fakeStatsP50Ms: fake.p50Ms,
      fakeStatsP99Ms: fake.p99Ms,
      // All answers per second, then only the served (2xx) ones; the rest are 503s of load shedding.
      statsReqPerS: load.reqPerS,
      stats2xxPerS: load.okPerS,
      stats503Share: load.nonOkShare,
      statsP50Ms: load.p50Ms,
      statsP99Ms: load.p99Ms,
      fakeStatsNon2xx: fake.non2xx,
      statsNon2xx: load.non2xx,
      statsErrors: load.errors + fake.errors,
      ...lagFigures('idle', lags.idle, overruns.idle, phaseSeconds),
      ...prefixed('idle', idleCpu),
      ...lagFigures('load', lags.load, overruns.load, phaseSeconds),
      ...prefixed('load', loadCpu),
      metricsReqPerS: metrics.reqPerS,
      metrics2xxPerS: metrics.okPerS,
      metrics503Share: metrics.nonOkShare,
      metricsP99Ms: metrics.p99Ms,
      metricsErrors: metrics.errors,
      ...lagFigures('metricsLoad', lags.metrics, overruns.metrics, phaseSeconds),
      ...prefixed('metricsLoad', metricsCpu),
      harvestsConnections: HARVEST_CONNECTIONS,
      harvestsSeconds: harvestSeconds,
      harvestsReqPerS: harvests.reqPerS,
      harvests2xxPerS: harvests.okPerS,
      harvestsNon2xxShare: harvests.nonOkShare,
      harvestsP99Ms: harvests.p99Ms,
      harvestsErrors: harvests.errors,
      ...lagFigures('harvests', lags.harvests, overruns.harvests, harvestSeconds),
      ...prefixed('harvests', harvestsCpu),
    };
  } finally {
    await stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
