// The task engine alone on the real clock: 1 000 fixed-rate tasks at 10 Hz for 30 s (quick: 5 s),
// against a naive loop of 1 000 setIntervals at 100 ms in the same process. Figures: start lag
// (actual start − slot on the fixed-rate grid) p50/p99/max, overruns, CPU seconds, and ratios.
import { SystemClock } from '../server/src/core/clock.ts';
import { Scheduler } from '../server/src/engine/scheduler.ts';
import { nearestRank } from '../server/src/engine/task-stats.ts';
import type { BenchFigures, BenchOptions } from './bench-types.ts';

const TASKS = 1000;
const PERIOD_MS = 100;
/** Tasks are spread over the period (10 per ms), as registrations at different times would be. */
const offsetMs = (i: number): number => i % PERIOD_MS;

interface Phase {
  runs: number;
  overruns: number;
  lagP50Ms: number;
  lagP99Ms: number;
  lagMaxMs: number;
  cpuSeconds: number;
  cpuUserSeconds: number;
  cpuSystemSeconds: number;
}

/** The work every task does: trivial, so the figures show scheduling overhead. */
let sink = 0;
const work = (i: number): void => {
  sink = (sink + i) % 1_000_003;
};

function summarise(lags: number[], overruns: number, cpu: NodeJS.CpuUsage): Phase {
  const sorted = Float64Array.from(lags).sort();
  return {
    runs: lags.length,
    overruns,
    lagP50Ms: round(nearestRank(sorted, 50)),
    lagP99Ms: round(nearestRank(sorted, 99)),
    lagMaxMs: round(sorted[sorted.length - 1] ?? 0),
    cpuSeconds: round((cpu.user + cpu.system) / 1e6),
    cpuUserSeconds: round(cpu.user / 1e6),
    cpuSystemSeconds: round(cpu.system / 1e6),
  };
}

async function scheduler(durationMs: number): Promise<Phase> {
  const clock = new SystemClock();
  const lags: number[] = [];
  const engine = new Scheduler({ clock, observer: { runFinished: (r) => lags.push(r.lagMs) } });
  const t0 = clock.monotonicMs() + 50;
  for (let i = 0; i < TASKS; i++) {
    engine.every({
      name: `bench:${i}`,
      kind: 'bench',
      periodMs: PERIOD_MS,
      startAtMs: t0 + offsetMs(i),
      run: () => work(i),
    });
  }
  const cpu0 = process.cpuUsage();
  engine.start();
  await clock.sleep(50 + durationMs);
  await engine.stop(1000);
  const cpu = process.cpuUsage(cpu0);
  return summarise(lags, engine.stats().bench?.overruns ?? 0, cpu);
}

async function naiveSetInterval(durationMs: number): Promise<Phase> {
  const lags: number[] = [];
  const handles: NodeJS.Timeout[] = [];
  const starters: NodeJS.Timeout[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < TASKS; i++) {
    starters.push(
      setTimeout(
        () => {
          // Lag against the fixed-rate grid from the moment the interval was set up: setInterval
          // re-arms from when the callback ran, so its lateness accumulates.
          const startMs = performance.now();
          let k = 0;
          handles.push(
            setInterval(() => {
              k++;
              lags.push(Math.max(0, performance.now() - (startMs + k * PERIOD_MS)));
              work(i);
            }, PERIOD_MS),
          );
        },
        50 + offsetMs(i),
      ),
    );
  }
  await new Promise((resolve) => setTimeout(resolve, 50 + durationMs));
  starters.forEach(clearTimeout);
  handles.forEach(clearInterval);
  const cpu = process.cpuUsage(cpu0);
  return summarise(lags, 0, cpu);
}

/** Runs both phases one after the other and reports their figures and ratios. */
export default async function engineBench({ quick }: BenchOptions): Promise<BenchFigures> {
  const durationMs = quick ? 5_000 : 30_000;
  const engine = await scheduler(durationMs);
  const naive = await naiveSetInterval(durationMs);
  const figures: BenchFigures = {
    tasks: TASKS,
    rateHz: 1000 / PERIOD_MS,
    durationSeconds: durationMs / 1000,
  };
  for (const [key, value] of Object.entries(engine)) figures[`scheduler.${key}`] = value;
  for (const [key, value] of Object.entries(naive)) figures[`setInterval.${key}`] = value;
  figures['ratio.lagP99'] = ratio(engine.lagP99Ms, naive.lagP99Ms);
  figures['ratio.lagMax'] = ratio(engine.lagMaxMs, naive.lagMaxMs);
  figures['ratio.cpu'] = ratio(engine.cpuSeconds, naive.cpuSeconds);
  figures.note = 'ratio = scheduler / setInterval (lower is better for the scheduler)';
  return figures;
}

function ratio(a: number, b: number): number | string {
  return b === 0 ? 'n/a' : round(a / b);
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
