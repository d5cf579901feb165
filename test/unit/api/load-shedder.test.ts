import { it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../server/src/core/clock.ts';
import { ConfigSchema } from '../../../server/src/config/schema.ts';
import { DEFAULT_LOAD_SHEDDING, HOLD_WINDOWS, LoadShedder } from '../../../server/src/api/load-shedder.ts';
import { HEAVY_REQUEST_WEIGHT, isHeavyRead, isSheddable } from '../../../server/src/api/load-shedding.ts';

const OPTIONS = { lagMs: 20, windowMs: 2000, minRequestsPerS: 50 };

/** Reports `count` frequency runs with the given lag, spread over `overMs` of manual time. */
async function runs(clock: ManualClock, s: LoadShedder, count: number, lagMs: number, overMs = 0) {
  for (let i = 0; i < count; i++) {
    s.runFinished({ name: `frequency:d${i}`, kind: 'frequency', lagMs, durationMs: 1, failed: false });
    if (overMs > 0) await clock.advance(overMs / count);
  }
}

function requests(s: LoadShedder, count: number): void {
  for (let i = 0; i < count; i++) s.requestArrived();
}

it('sheds only when sampling is behind AND the API is busy', async () => {
  const clock = new ManualClock();
  const s = new LoadShedder(clock, OPTIONS);
  await runs(clock, s, 100, 50); // every run late
  assert.equal(s.behind(), true);
  assert.equal(s.shouldShed(), false, 'idle API: a slow machine alone never sheds');
  requests(s, 99); // 49.5 per second over the 2 s window
  assert.equal(s.shouldShed(), false);
  requests(s, 1);
  assert.equal(s.busy(), true);
  assert.equal(s.shouldShed(), true);
  const fresh = new LoadShedder(clock, OPTIONS);
  requests(fresh, 1000);
  assert.equal(fresh.shouldShed(), false, 'busy API without sampling tasks (fake services) never sheds');
});

it('counts a heavy read as many requests: a few clients of 6 MB answers make the API busy', async () => {
  const clock = new ManualClock();
  const s = new LoadShedder(clock, OPTIONS);
  await runs(clock, s, 100, 50);
  for (let i = 0; i < 3; i++) s.requestArrived(HEAVY_REQUEST_WEIGHT); // 1.5 heavy reads/s over the window
  assert.equal(s.busy(), false, '37.5 weighted requests/s');
  s.requestArrived(HEAVY_REQUEST_WEIGHT); // 2 heavy reads per second
  assert.equal(s.busy(), true);
  assert.equal(s.shouldShed(), true);
  assert.equal(isHeavyRead('GET', '/api/harvests'), true);
  assert.equal(isHeavyRead('GET', '/api/stats'), false);
});

it('needs a sustained share of late runs, not one late tick', async () => {
  const clock = new ManualClock();
  const s = new LoadShedder(clock, OPTIONS);
  requests(s, 1000);
  await runs(clock, s, 4, 500);
  await runs(clock, s, 10, 1);
  assert.equal(s.behind(), false, 'fewer than 20 runs say nothing');
  await runs(clock, s, 40, 1);
  assert.equal(s.behind(), false, '4 late runs of 54: below the minimum of 5');
  await runs(clock, s, 1, 21);
  assert.equal(s.behind(), false, '5 late of 55 is under 10 %');
  await runs(clock, s, 1, 20);
  assert.equal(s.behind(), false, 'exactly lagMs is on time');
  await runs(clock, s, 2, 21);
  assert.equal(s.behind(), true, '7 late of 58 ≥ 10 %');
});

it('counts skipped slots of sampling tasks as late, and ignores other task kinds', async () => {
  const clock = new ManualClock();
  const s = new LoadShedder(clock, OPTIONS);
  await runs(clock, s, 30, 0);
  for (let i = 0; i < 5; i++) s.overrun('frequency');
  assert.equal(s.behind(), true, '5 skipped of 35 slots');
  const other = new LoadShedder(clock, OPTIONS);
  for (let i = 0; i < 50; i++) {
    other.runFinished({ name: 'upload', kind: 'upload', lagMs: 900, durationMs: 1, failed: false });
    other.overrun('upload');
  }
  assert.equal(other.behind(), false);
});

it('forgets what left the window, and holds shedding for HOLD_WINDOWS windows while busy', async () => {
  const clock = new ManualClock();
  const s = new LoadShedder(clock, OPTIONS);
  await runs(clock, s, 50, 100, 500);
  requests(s, 200);
  assert.equal(s.shouldShed(), true);
  await clock.advance(2100);
  assert.equal(s.behind(), false, 'the late runs left the window');
  assert.equal(s.busy(), false, 'and so did the requests');
  assert.equal(s.shouldShed(), false, 'not busy: nothing shed');
  // Sampling was behind at 500 ms; the hold lasts until 500 + 5 × 2000 ms while the API stays busy.
  requests(s, 200);
  assert.equal(s.shouldShed(), true, 'still within the hold');
  const holdEndMs = 500 + HOLD_WINDOWS * OPTIONS.windowMs;
  await clock.advanceTo(holdEndMs - 100);
  requests(s, 200);
  assert.equal(s.shouldShed(), true);
  await clock.advance(100);
  requests(s, 200);
  assert.equal(s.shouldShed(), false, 'hold over, sampling healthy: served again');
  const state = s.state();
  assert.equal(state.shedding, false);
  assert.equal(state.window.lateRuns, 0);
});

it('lagMs 0 turns shedding off; the schema defaults are the built-in defaults', async () => {
  const clock = new ManualClock();
  const off = new LoadShedder(clock, { ...OPTIONS, lagMs: 0 });
  await runs(clock, off, 100, 1000);
  requests(off, 10_000);
  assert.equal(off.shouldShed(), false);
  assert.deepEqual(ConfigSchema.parse({}).http.shedding, DEFAULT_LOAD_SHEDDING);
  assert.throws(() => new LoadShedder(clock, { ...OPTIONS, windowMs: 5 }), /windowMs/);
});

it('sheds reads but never liveness, writes or preflights', () => {
  assert.equal(isSheddable('GET', '/api/stats'), true);
  assert.equal(isSheddable('HEAD', '/metrics'), true);
  assert.equal(isSheddable('GET', '/dashboard.js'), true);
  assert.equal(isSheddable('GET', '/api/hello'), false);
  assert.equal(isSheddable('POST', '/api/devices'), false);
  assert.equal(isSheddable('PUT', '/api/settings'), false);
  assert.equal(isSheddable('OPTIONS', '/api/stats'), false);
});
