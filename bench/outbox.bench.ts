// Drains a 24-hour backlog (86 400 harvests = 8 640 batches of 10; quick: 4 hours) from the SQLite
// outbox through the HTTP uplink to the reference ingest receiver running as a separate process on
// loopback, while a 10 Hz fixed-rate timer (the sampling cadence) runs in the gateway process.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SystemClock } from '../server/src/core/clock.ts';
import { loadOrCreateDeviceKey } from '../server/src/identity/device-key.ts';
import { createBatch, type BatchInput } from '../server/src/identity/batch-jwt.ts';
import { Outbox } from '../server/src/outbox/outbox.ts';
import { OutboxDispatcher } from '../server/src/uplink/outbox-dispatcher.ts';
import { HttpUplink } from '../server/src/uplink/http/http-uplink.ts';
import type { BenchFigures, BenchOptions } from './bench-types.ts';

const round = (n: number): number => Math.round(n * 100) / 100;
const rank = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;

async function startReceiver(): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['server/src/cli/main.ts', 'ingest-server', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, EGW_LOG_LEVEL: 'silent' },
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /ingest receiver on (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', () => reject(new Error('ingest receiver exited')));
  });
  return { url, stop: () => new Promise((r) => (child.once('exit', () => r()), child.kill('SIGTERM'))) };
}

/** Backlog drain rate and the 10 Hz cadence during the drain. */
export default async function outboxBench({ quick }: BenchOptions): Promise<BenchFigures> {
  const batches = quick ? 1440 : 8640;
  const dir = mkdtempSync(join(tmpdir(), 'egw-bench-outbox-'));
  const clock = new SystemClock();
  const receiver = await startReceiver();
  try {
    const key = loadOrCreateDeviceKey(dir);
    const outbox = Outbox.open(join(dir, 'egw.db'), {
      sign: (input, seq) => createBatch(key, input, seq),
      clock,
    });
    let ts = 1_767_225_600_000;
    const fillStart = performance.now();
    for (let done = 0; done < batches; done += 480) {
      const chunk: BatchInput[] = [];
      for (let i = 0; i < Math.min(480, batches - done); i++) {
        chunk.push({
          model: 'sunspec',
          harvests: Array.from({ length: 10 }, () => ({
            device: 'inv1',
            profile: 'sunspec',
            ts: (ts += 1000),
            read_ms: 40,
            ac_power_w: 4200,
            grid_frequency_hz: 50.01,
            energy_total_wh: 12_345_678,
          })),
        });
      }
      outbox.appendMany(chunk);
    }
    const fillSeconds = (performance.now() - fillStart) / 1000;

    // The 10 Hz fixed-rate timer, like the sampling tasks: slot k is due at start + k·100 ms, lag =
    // actual − due; slots already past when a tick ends are skipped and counted (never stacked).
    const lags: number[] = [];
    const tickStart = performance.now();
    let slot = 1;
    let missedSlots = 0;
    let ticking = true;
    const tick = (): void => {
      if (!ticking) return;
      const now = performance.now();
      lags.push(now - (tickStart + slot * 100));
      const next = Math.max(slot + 1, Math.floor((now - tickStart) / 100) + 1);
      missedSlots += next - slot - 1;
      slot = next;
      clock.setTimer('bench-10hz', tickStart + slot * 100 - performance.now(), tick);
    };
    clock.setTimer('bench-10hz', 100, tick);
    // Baseline: the same timer with nothing draining, to tell the drain's effect from the machine's.
    await clock.sleep(quick ? 2000 : 10_000);
    const baseline = [...lags].sort((a, b) => a - b);
    lags.length = 0;
    const baselineMissed = missedSlots;
    missedSlots = 0;

    const uplink = new HttpUplink({ url: receiver.url, timeoutMs: 10_000, clock, serial: key.serial });
    const dispatcher = new OutboxDispatcher({ outbox, uplinks: [uplink], clock, window: 8 });
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await dispatcher.start();
    while (outbox.pending('http', 1).length > 0) await clock.sleep(20);
    const drainSeconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    ticking = false;
    await dispatcher.stop();
    outbox.close();
    const sorted = [...lags].sort((a, b) => a - b);
    return {
      batches,
      harvests: batches * 10,
      fillSeconds: round(fillSeconds),
      drainSeconds: round(drainSeconds),
      batchesPerSecond: Math.round(batches / drainSeconds),
      gatewayCpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / (drainSeconds * 1000)) * 100),
      tickLagP50Ms: round(rank(sorted, 50)),
      tickLagP99Ms: round(rank(sorted, 99)),
      tickLagMaxMs: round(sorted[sorted.length - 1] ?? 0),
      baselineTickLagP50Ms: round(rank(baseline, 50)),
      baselineTickLagP99Ms: round(rank(baseline, 99)),
      baselineMissedSlots: baselineMissed,
      ticks: lags.length,
      missedSlots,
      retries: dispatcher.states()[0]?.retries ?? 0,
    };
  } finally {
    await receiver.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
