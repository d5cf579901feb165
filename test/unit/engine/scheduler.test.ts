import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { ManualClock, type Timer } from '../../../server/src/core/clock.ts';
import { Scheduler } from '../../../server/src/engine/scheduler.ts';
import type { TaskRunReport } from '../../../server/src/engine/task.ts';

/** A virtual clock whose timers fire lateMs after they are due, to produce a known start lag. */
class LateClock extends ManualClock {
  private readonly lateMs: number;
  constructor(lateMs: number) {
    super();
    this.lateMs = lateMs;
  }
  override setTimer(name: string, delayMs: number, fn: () => void): Timer {
    return super.setTimer(name, delayMs + this.lateMs, fn);
  }
}

function captureLogger(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'warn' }, stream), lines };
}

describe('Scheduler', () => {
  it('keeps a fixed-rate cadence with zero drift over 10⁶ virtual ticks', async () => {
    const clock = new ManualClock();
    const engine = new Scheduler({ clock });
    const periodMs = 100;
    let runs = 0;
    let worst = 0;
    engine.every({
      name: 'tick',
      periodMs,
      run: (ctx) => {
        // Run k must start exactly at k·period: no accumulated error, no lag.
        worst = Math.max(
          worst,
          Math.abs(ctx.dueMs - runs * periodMs),
          Math.abs(clock.monotonicMs() - ctx.dueMs),
        );
        runs++;
      },
    });
    engine.start();
    await clock.advance(1_000_000 * periodMs - 1, false);
    assert.equal(runs, 1_000_000);
    assert.equal(worst, 0);
    assert.equal(engine.stats().tick!.overruns, 0);
    assert.deepEqual(clock.pendingTimers(), ['engine']);
  });

  it('computes each slot from the start, so a non-integer period does not accumulate rounding', async () => {
    const clock = new ManualClock();
    const engine = new Scheduler({ clock });
    const periodMs = 1000 / 3;
    const dues: number[] = [];
    engine.every({ name: 'third', periodMs, startAtMs: 7, run: (ctx) => void dues.push(ctx.dueMs) });
    engine.start();
    await clock.advance(7 + 30_000 * periodMs + 1, false);
    assert.equal(dues.length, 30_001);
    dues.forEach((due, k) => assert.equal(due, 7 + k * periodMs));
  });

  it('skips and counts an overrun when a run outlasts its slot, without stacking runs', async () => {
    const clock = new ManualClock();
    const overruns: string[] = [];
    const engine = new Scheduler({
      clock,
      observer: { overrun: (kind, name) => overruns.push(`${kind}/${name}`) },
    });
    const starts: number[] = [];
    let concurrent = 0;
    let maxConcurrent = 0;
    engine.every({
      name: 'slow:inv1',
      kind: 'slow',
      periodMs: 100,
      run: async (ctx) => {
        starts.push(clock.monotonicMs());
        maxConcurrent = Math.max(maxConcurrent, ++concurrent);
        await clock.sleep(250, 'slow-read', ctx.signal);
        concurrent--;
      },
    });
    engine.start();
    await clock.advance(1000);
    // Runs start at 0, 300, 600, 900: each next run lands on the grid after the previous one ended.
    assert.deepEqual(starts, [0, 300, 600, 900]);
    assert.equal(maxConcurrent, 1);
    const stats = engine.stats().slow!;
    assert.equal(stats.runs, 3);
    assert.equal(stats.overruns, 6);
    assert.equal(overruns.length, 6);
    assert.equal(overruns[0], 'slow/slow:inv1');
  });

  it('runs the next slot on time when a run takes exactly one period', async () => {
    const clock = new ManualClock();
    const engine = new Scheduler({ clock });
    const starts: number[] = [];
    engine.every({
      name: 'exact',
      periodMs: 100,
      run: async () => {
        starts.push(clock.monotonicMs());
        await clock.sleep(100);
      },
    });
    engine.start();
    await clock.advance(350);
    assert.deepEqual(starts, [0, 100, 200, 300]);
    assert.equal(engine.stats().exact!.overruns, 0);
  });

  it('logs and counts a throwing task and keeps running the others', async () => {
    const clock = new ManualClock();
    const { logger, lines } = captureLogger();
    const engine = new Scheduler({ clock, logger });
    let healthy = 0;
    engine.every({
      name: 'throws',
      periodMs: 100,
      run: () => {
        throw new Error('register 40083 unreadable');
      },
    });
    engine.every({
      name: 'rejects',
      periodMs: 100,
      run: async () => Promise.reject(new Error('socket reset')),
    });
    engine.every({ name: 'healthy', periodMs: 100, run: () => void healthy++ });
    engine.start();
    await clock.advance(950);
    assert.equal(healthy, 10);
    const stats = engine.stats();
    assert.deepEqual([stats.throws!.runs, stats.throws!.failures], [10, 10]);
    assert.deepEqual([stats.rejects!.runs, stats.rejects!.failures], [10, 10]);
    assert.equal(stats.healthy!.failures, 0);
    assert.equal(lines.length, 20);
    assert.equal(lines[0]!.task, 'throws');
    assert.equal(lines[0]!.err, 'register 40083 unreadable');
  });

  it('orders tasks due at the same time by priority, then by insertion', async () => {
    const clock = new ManualClock();
    const engine = new Scheduler({ clock });
    const order: string[] = [];
    engine.once({ name: 'c', priority: 10, delayMs: 50, run: () => void order.push('c') });
    engine.once({ name: 'a', priority: 1, delayMs: 50, run: () => void order.push('a') });
    engine.once({ name: 'd', priority: 10, delayMs: 50, run: () => void order.push('d') });
    engine.once({ name: 'b', priority: 5, delayMs: 50, run: () => void order.push('b') });
    engine.once({ name: 'early', priority: 99, delayMs: 49, run: () => void order.push('early') });
    engine.start();
    await clock.advance(100);
    assert.deepEqual(order, ['early', 'a', 'b', 'c', 'd']);
  });

  it('places tasks registered before start() relative to the start', async () => {
    const clock = new ManualClock();
    const engine = new Scheduler({ clock });
    const starts: number[] = [];
    engine.every({ name: 'p', periodMs: 100, run: () => void starts.push(clock.monotonicMs()) });
    await clock.advance(1000);
    assert.deepEqual(starts, []);
    engine.start();
    await clock.advance(250);
    assert.deepEqual(starts, [1000, 1100, 1200]);
    assert.equal(engine.stats().p!.overruns, 0);
  });

  it('stop waits for in-flight runs and reports success', async () => {
    const clock = new ManualClock();
    const engine = new Scheduler({ clock });
    let finished = false;
    let runs = 0;
    engine.every({
      name: 'upload',
      periodMs: 100,
      run: async () => {
        runs++;
        await clock.sleep(500);
        finished = true;
      },
    });
    engine.start();
    await clock.advance(10);
    const stopped = engine.stop(1000);
    await clock.advance(600);
    assert.equal(await stopped, true);
    assert.equal(finished, true);
    await clock.advance(1000);
    assert.equal(runs, 1, 'no run starts after stop');
  });

  it('stop gives up at its deadline and aborts the runs still in flight', async () => {
    const clock = new ManualClock();
    const engine = new Scheduler({ clock });
    let signal: AbortSignal | undefined;
    engine.once({
      name: 'stuck',
      delayMs: 0,
      run: async (ctx) => {
        signal = ctx.signal;
        await clock.sleep(60_000); // ignores the signal on purpose
      },
    });
    engine.start();
    await clock.advance(1);
    let result: boolean | undefined;
    const stopped = engine.stop(1000).then((r) => (result = r));
    await clock.advance(999);
    assert.equal(result, undefined, 'still waiting before the deadline');
    assert.equal(signal!.aborted, false);
    await clock.advance(1);
    await stopped;
    assert.equal(result, false);
    assert.equal(signal!.aborted, true);
    assert.deepEqual(engine.running(), ['stuck']);
  });

  it('keeps correct statistics on a known schedule', async () => {
    const clock = new LateClock(3);
    const reports: TaskRunReport[] = [];
    const engine = new Scheduler({
      clock,
      statsWindow: 4,
      observer: { runFinished: (r) => reports.push(r) },
    });
    let k = 0;
    engine.every({
      name: 'harvest:inv1',
      kind: 'harvest',
      periodMs: 100,
      run: async () => {
        k++;
        await clock.sleep(k * 5); // durations 5, 10, … 50 ms (the late timers add 3 ms each)
      },
    });
    engine.start();
    await clock.advance(1000);
    const stats = engine.stats().harvest!;
    assert.equal(stats.runs, 10);
    assert.equal(stats.failures, 0);
    assert.equal(stats.overruns, 0);
    // Every timer fires 3 ms late: the engine's own timer (lag 3) and the sleep inside (duration + 3).
    assert.deepEqual(stats.lagMs, { p50: 3, p99: 3, max: 3 });
    // Window of 4: durations of runs 7–10 are 38, 43, 48, 53.
    assert.deepEqual(stats.durationMs, { p50: 43, p99: 53, max: 53 });
    assert.equal(reports.length, 10);
    assert.deepEqual(reports[0], {
      name: 'harvest:inv1',
      kind: 'harvest',
      lagMs: 3,
      durationMs: 8,
      failed: false,
    });
  });

  it('cancels a periodic task: no further runs and the in-flight run sees its signal aborted', async () => {
    const clock = new ManualClock();
    const engine = new Scheduler({ clock });
    let runs = 0;
    let abortedReason: unknown;
    const handle = engine.every({
      name: 'freq',
      periodMs: 100,
      run: async (ctx) => {
        runs++;
        try {
          await clock.sleep(50, 'read', ctx.signal);
        } catch (error) {
          abortedReason = error;
          throw error;
        }
      },
    });
    const oneShot = engine.once({
      name: 'later',
      delayMs: 500,
      run: () => assert.fail('cancelled one-shot ran'),
    });
    engine.start();
    await clock.advance(220);
    assert.equal(runs, 3);
    handle.cancel();
    oneShot.cancel();
    assert.equal(handle.cancelled, true);
    await clock.advance(1000);
    assert.equal(runs, 3);
    assert.match(String(abortedReason), /freq: cancelled/);
    assert.deepEqual(clock.pendingTimers(), []);
  });

  it('runs a one-shot once, after which its name is free again', async () => {
    const clock = new ManualClock();
    const engine = new Scheduler({ clock });
    let runs = 0;
    const first = engine.once({ name: 'probe', delayMs: 10, run: () => void runs++ });
    engine.start();
    await clock.advance(100);
    assert.equal(runs, 1);
    assert.equal(first.cancelled, false);
    const second = engine.once({ name: 'probe', delayMs: 10, run: () => void runs++ });
    first.cancel(); // must not touch the new task of the same name
    assert.throws(() => engine.once({ name: 'probe', delayMs: 1, run: () => {} }), /exists/);
    await clock.advance(100);
    assert.equal(runs, 2);
    assert.equal(second.cancelled, false);
  });

  it('rejects a duplicate task name and a non-positive period', () => {
    const engine = new Scheduler({ clock: new ManualClock() });
    engine.every({ name: 'x', periodMs: 10, run: () => {} });
    assert.throws(
      () => engine.every({ name: 'x', periodMs: 10, run: () => {} }),
      /task x: a task with this name exists/,
    );
    assert.throws(() => engine.every({ name: 'y', periodMs: 0, run: () => {} }), /periodMs 0/);
  });
});
