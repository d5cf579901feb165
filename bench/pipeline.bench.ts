// The harvest pipeline in the real gateway wiring (buildGateway: devices, 10 Hz frequency tasks,
// 1 s harvests, batches signed into the SQLite outbox, web API up; local outbox, no uplink) against
// 32 simulated inverters served by the simulator in a child process, for 60 s (quick: 8 s) after a
// 3 s warm-up. Figures: frequency-task start lag p50/p99/max over every run, missed slots (overruns),
// harvests and batches made, gateway CPU % of one core and RSS (the simulator's CPU is not counted).
import { nearestRank } from '../server/src/engine/task-stats.ts';
import { startLocalGateway } from '../server/src/demo/start-local-gateway.ts';
import { startSimProcess } from '../test/e2e/pipeline-harness.ts';
import type { BenchFigures, BenchOptions } from './bench-types.ts';

const DEVICES = 32;
const WARMUP_MS = 3000;

const round = (x: number): number => Math.round(x * 100) / 100;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export default async function pipelineBench({ quick }: BenchOptions): Promise<BenchFigures> {
  const durationMs = quick ? 8_000 : 60_000;
  let measuring = false;
  const lags: number[] = [];
  let overruns = 0;
  let harvests = 0;
  let batches = 0;
  const { gateway, stop } = await startLocalGateway({
    simulator: await startSimProcess({
      devices: Array.from({ length: DEVICES }, (_, i) => ({ profile: 'huawei', id: `inv${i + 1}` })),
    }),
    observer: {
      runFinished: (r) => {
        if (measuring && r.kind === 'frequency') lags.push(r.lagMs);
      },
      overrun: (kind) => {
        if (measuring && kind === 'frequency') overruns++;
      },
    },
  });
  gateway.bus.on('reading', () => measuring && harvests++);
  gateway.bus.on('batch', () => measuring && batches++);
  try {
    await sleep(WARMUP_MS);
    measuring = true;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let rssMaxBytes = 0;
    while (performance.now() - t0 < durationMs) {
      await sleep(500);
      rssMaxBytes = Math.max(rssMaxBytes, process.memoryUsage().rss);
    }
    measuring = false;
    const cpu = process.cpuUsage(cpu0);
    const wallMs = performance.now() - t0;
    const sorted = Float64Array.from(lags).sort();
    const expectedRuns = Math.round((DEVICES * 10 * wallMs) / 1000);
    return {
      devices: DEVICES,
      seconds: round(wallMs / 1000),
      frequencyRuns: lags.length,
      frequencyRunsExpected: expectedRuns,
      missedSlots: overruns,
      missedSlotsPercent: round((100 * overruns) / expectedRuns),
      lagP50Ms: round(nearestRank(sorted, 50)),
      lagP99Ms: round(nearestRank(sorted, 99)),
      lagMaxMs: round(sorted[sorted.length - 1] ?? 0),
      harvests,
      batches,
      cpuPercentOfOneCore: round((100 * (cpu.user + cpu.system)) / 1000 / wallMs),
      rssMaxMB: round(rssMaxBytes / 2 ** 20),
    };
  } finally {
    await stop();
  }
}

// Direct run: node bench/pipeline.bench.ts [--quick]
if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await pipelineBench({ quick: process.argv.includes('--quick') }), null, 2));
}
