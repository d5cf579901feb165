/**
 * What the gateway costs a box, run exactly as deployed: `node bin/egw.mjs run` (with the image's
 * NODE_OPTIONS) in its own process, the simulator (Huawei inverters) in another, 10 Hz frequency and
 * 1 s harvests per device. For 1 and 32 devices, API idle then under a 16-connection GET /api/stats
 * flood: RSS steady/peak, CPU % of one core, CPU µs per Modbus request all-in (gateway CPU ÷ requests
 * the simulator answered), start to first frequency sample, frequency lag p50/p99/max, missed slots.
 * Beside it, a raw modbus-serial read loop against the same simulator (the floor, and the ratio to
 * it); then the 32-device run in a cgroup budget (25 % of one core, 128 MB) where cgroups are writable.
 */
import { loadavg } from 'node:os';
import { spawn } from 'node:child_process';
import { startSimProcess, type SimProcess } from '../test/e2e/pipeline-harness.ts';
import { autocannon } from './autocannon-child.ts';
import type { BenchFigures, BenchOptions } from './bench-types.ts';
import { createCgroupBudget, type CgroupBudget } from './footprint/cgroup-budget.ts';
import {
  deployedNodeOptions,
  startGatewayProcess,
  warmCompileCache,
  type GatewayProcess,
} from './footprint/gateway-process.ts';
import { lagFigures, parseLagBuckets, subtractBuckets } from './footprint/lag-histogram.ts';
import { cpuNs, memoryBytes } from './footprint/process-usage.ts';

const CONNECTIONS = 16;
const BUDGET_CPU_SHARE = 0.25;
const BUDGET_MEMORY_BYTES = 128 * 2 ** 20;
const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const MB = 2 ** 20;

interface Timing {
  warmupMs: number;
  phaseMs: number;
}

/** Sum of the Modbus requests every simulated device answered so far. */
async function simRequests(sim: SimProcess): Promise<number> {
  return (await sim.stats()).devices.reduce((sum, d) => sum + d.server.requests, 0);
}

/** Polls until the API answers and the first device has a frequency sample; start-up figures. */
async function waitForFirstSample(
  gw: GatewayProcess,
  deviceId: string,
): Promise<{ readyMs: number; firstSampleMs: number }> {
  let readyMs = 0;
  for (let i = 0; i < 600; i++) {
    try {
      if (!readyMs) {
        await gw.get('/api/hello');
        readyMs = Date.now() - gw.spawnedAtMs;
      }
      const { samples } = JSON.parse(await gw.get(`/api/devices/${deviceId}/frequency`)) as {
        samples: { ts: number }[];
      };
      // The sample's own stamp (when its read started), so the polling interval does not count.
      if (samples.length > 0) return { readyMs, firstSampleMs: samples[0]!.ts - gw.spawnedAtMs };
    } catch {
      // not listening yet
    }
    await sleep(25);
  }
  throw new Error('the gateway produced no frequency sample within 15 s');
}

/** One measuring phase: CPU, requests, RSS, lag histogram and overruns between its start and end. */
async function measurePhase(
  gw: GatewayProcess,
  requests: () => Promise<number>,
  devices: number,
  phaseMs: number,
  flood: boolean,
): Promise<BenchFigures> {
  const overruns = async (): Promise<number> =>
    (JSON.parse(await gw.get('/api/stats')) as { engine: { frequency?: { overruns: number } } }).engine
      .frequency?.overruns ?? 0;
  const [buckets0, overruns0, requests0] = [
    parseLagBuckets(await gw.get('/metrics')),
    await overruns(),
    await requests(),
  ];
  const cpu0 = cpuNs(gw.pid);
  const t0 = performance.now();
  const load = flood ? autocannon(`${gw.base}/api/stats`, phaseMs / 1000, CONNECTIONS) : undefined;
  const rss: number[] = [];
  while (performance.now() - t0 < phaseMs) {
    await sleep(500);
    rss.push(memoryBytes(gw.pid).rss);
  }
  const loadResult = await load;
  const cpu = cpuNs(gw.pid) - cpu0;
  const wallMs = performance.now() - t0;
  const requestCount = (await requests()) - requests0;
  const lag = lagFigures(subtractBuckets(parseLagBuckets(await gw.get('/metrics')), buckets0));
  const missed = (await overruns()) - overruns0;
  const steady = rss.slice(Math.floor(rss.length / 2)).sort((a, b) => a - b);
  return {
    seconds: round(wallMs / 1000),
    rssSteadyMB: round((steady[Math.floor(steady.length / 2)] ?? 0) / MB),
    rssPeakMB: round(memoryBytes(gw.pid).peak / MB),
    cpuPercentOfOneCore: round((100 * cpu) / 1e6 / wallMs, 3),
    modbusRequests: requestCount,
    cpuUsPerRequest: round(cpu / 1000 / Math.max(1, requestCount), 1),
    frequencyRuns: lag.runs,
    frequencyRunsExpected: Math.round((devices * 10 * wallMs) / 1000),
    lagP50Ms: round(lag.p50Ms),
    lagP99Ms: round(lag.p99Ms),
    lagMaxBucketMs: lag.maxBucketMs,
    lagWithin5msShare: round(lag.within5msShare, 4),
    missedSlots: missed,
    ...(loadResult
      ? { floodReqPerS: loadResult.reqPerS, flood2xxPerS: loadResult.okPerS, floodErrors: loadResult.errors }
      : {}),
  };
}

/** The raw modbus-serial loop (its own process) against the first simulated device. */
function rawLoop(
  sim: SimProcess,
  seconds: number,
): Promise<{ requests: number; cpuUs: number; wallMs: number }> {
  const d = sim.devices[0]!;
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['bench/footprint/raw-modbus-loop.ts', d.host, String(d.port), String(d.unit), String(seconds)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`raw loop exited ${code}`)),
    );
  });
}

/** Starts the simulator and one gateway for `devices`; idle then flood phases; start-up figures. */
async function deviceCountRun(
  devices: number,
  timing: Timing,
  withFlood: boolean,
  budget?: CgroupBudget,
): Promise<{ figures: BenchFigures; sim: SimProcess }> {
  const sim = await startSimProcess({
    devices: Array.from({ length: devices }, (_, i) => ({ profile: 'huawei', id: `inv${i + 1}` })),
  });
  const requests = (): Promise<number> => simRequests(sim);
  const gw = await startGatewayProcess(sim.devices, budget);
  try {
    const start = await waitForFirstSample(gw, sim.devices[0]!.id);
    await sleep(timing.warmupMs);
    const idle = await measurePhase(gw, requests, devices, timing.phaseMs, false);
    // Load shedding may refuse even the bench's own reads for long under a flood on a loaded machine:
    // the flood's figures are then an error line, the idle figures stand.
    const flood = withFlood
      ? await measurePhase(gw, requests, devices, timing.phaseMs, true).catch((error: unknown) => ({
          error: String(error),
        }))
      : {};
    const figures: BenchFigures = { readyMs: start.readyMs, firstSampleMs: start.firstSampleMs };
    for (const [k, v] of Object.entries(idle)) figures[`idle.${k}`] = v;
    for (const [k, v] of Object.entries(flood)) figures[`flood.${k}`] = v;
    return { figures, sim };
  } finally {
    const how = await gw.stop();
    if (how !== '0') process.stderr.write(`footprint: gateway exited with ${how}\n`);
  }
}

/** The benchmark. */
export default async function footprintBench({ quick }: BenchOptions): Promise<BenchFigures> {
  const timing: Timing = quick ? { warmupMs: 1000, phaseMs: 4000 } : { warmupMs: 5000, phaseMs: 60_000 };
  const report: BenchFigures = {
    loadAverage1m: round(loadavg()[0] ?? 0),
    nodeOptions: (process.env.FOOTPRINT_NODE_OPTIONS ?? deployedNodeOptions()) || '(none)',
  };
  const add = (prefix: string, figures: BenchFigures): void => {
    for (const [k, v] of Object.entries(figures)) report[`${prefix}.${k}`] = v;
  };
  // As in the image: the first start already finds every module compiled (no TypeScript stripper).
  warmCompileCache();
  const one = await deviceCountRun(1, timing, true);
  await one.sim.stop();
  add('d1', one.figures);
  const many = await deviceCountRun(32, timing, true);
  try {
    const raw = await rawLoop(many.sim, quick ? 2 : 10);
    const rawUs = raw.cpuUs / raw.requests;
    add('d32', many.figures);
    report['raw.requestsPerS'] = round((raw.requests * 1000) / raw.wallMs, 0);
    report['raw.cpuUsPerRequest'] = round(rawUs, 1);
    report['d32.idle.ratioToRaw'] = round(Number(many.figures['idle.cpuUsPerRequest']) / rawUs);
    report['d1.idle.ratioToRaw'] = round(Number(one.figures['idle.cpuUsPerRequest']) / rawUs);
    const budget = createCgroupBudget(BUDGET_CPU_SHARE, BUDGET_MEMORY_BYTES);
    if (typeof budget === 'string') {
      report['budget.skipped'] = budget;
    } else {
      try {
        const run = await budgetRun(many.sim, timing, budget);
        add('budget', run);
      } finally {
        budget.remove();
      }
    }
  } finally {
    await many.sim.stop();
  }
  report.loadAverage1mAtEnd = round(loadavg()[0] ?? 0);
  return report;
}

/** The 32-device gateway (no flood) inside the cgroup budget, on the simulator already running. */
async function budgetRun(sim: SimProcess, timing: Timing, budget: CgroupBudget): Promise<BenchFigures> {
  const gw = await startGatewayProcess(sim.devices, budget);
  let exit = 'running';
  void gw.exited.then((how) => (exit = how));
  try {
    const start = await waitForFirstSample(gw, sim.devices[0]!.id);
    await sleep(timing.warmupMs);
    const phase = await measurePhase(gw, () => simRequests(sim), sim.devices.length, timing.phaseMs, false);
    const cg = budget.report();
    return {
      cpuQuotaPercent: BUDGET_CPU_SHARE * 100,
      memoryLimitMB: BUDGET_MEMORY_BYTES / MB,
      firstSampleMs: start.firstSampleMs,
      ...phase,
      throttledPeriods: cg.throttledPeriods,
      throttledMs: round(cg.throttledMs),
      cgroupMemoryPeakMB: round(cg.memoryPeakBytes / MB),
      memoryLimitHits: cg.memoryFailcnt,
      oomKills: cg.oomKills,
      exitedDuringRun: exit,
    };
  } finally {
    await gw.stop();
  }
}
