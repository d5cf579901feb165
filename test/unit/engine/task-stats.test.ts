import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SampleWindow, TaskStats, nearestRank } from '../../../server/src/engine/task-stats.ts';

describe('TaskStats', () => {
  it('reports zeros before any run', () => {
    assert.deepEqual(new TaskStats().snapshot(), {
      runs: 0,
      failures: 0,
      overruns: 0,
      lagMs: { p50: 0, p99: 0, max: 0 },
      durationMs: { p50: 0, p99: 0, max: 0 },
    });
  });

  it('computes nearest-rank percentiles over 1..100', () => {
    const window = new SampleWindow(100);
    for (let v = 100; v >= 1; v--) window.add(v);
    assert.deepEqual(window.distribution(), { p50: 50, p99: 99, max: 100 });
  });

  it('forgets samples that slid out of the window', () => {
    const window = new SampleWindow(3);
    [1000, 1, 2, 3].forEach((v) => window.add(v));
    assert.equal(window.count, 3);
    assert.deepEqual(window.distribution(), { p50: 2, p99: 3, max: 3 });
  });

  it('counts runs, failures and overruns', () => {
    const stats = new TaskStats(8);
    stats.recordRun(1, 10, false);
    stats.recordRun(2, 20, true);
    stats.recordOverruns(3);
    const snap = stats.snapshot();
    assert.deepEqual([snap.runs, snap.failures, snap.overruns], [2, 1, 3]);
    assert.deepEqual(snap.durationMs, { p50: 10, p99: 20, max: 20 });
  });

  it('takes the smallest value for tiny samples', () => {
    assert.equal(nearestRank([5], 50), 5);
    assert.equal(nearestRank([1, 2], 50), 1);
  });

  it('rejects an empty window', () => {
    assert.throws(() => new SampleWindow(0), /statsWindow 0/);
  });
});
