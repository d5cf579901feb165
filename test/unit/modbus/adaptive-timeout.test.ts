import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AdaptiveTimeout } from '../../../server/src/modbus/adaptive-timeout.ts';
import { LatencyWindow } from '../../../server/src/modbus/latency-window.ts';

test('uses the ceiling until enough latencies are known', () => {
  const timeout = new AdaptiveTimeout({ minMs: 100, maxMs: 2000, minSamples: 3 });
  assert.equal(timeout.currentMs(), 2000);
  timeout.succeeded(10);
  timeout.succeeded(10);
  assert.equal(timeout.currentMs(), 2000);
  timeout.succeeded(10);
  assert.equal(timeout.currentMs(), 100, '4 × 10 ms is below the floor');
});

test('follows 4 × p99 of recent latencies between the bounds', () => {
  const timeout = new AdaptiveTimeout({ minMs: 100, maxMs: 2000, minSamples: 1 });
  for (let i = 0; i < 99; i++) timeout.succeeded(20);
  timeout.succeeded(80);
  assert.equal(timeout.currentMs(), 100, 'p99 of 100 samples is the 99th: 20 ms → 80 → floor 100');
  timeout.succeeded(90);
  assert.equal(timeout.currentMs(), 320, 'now p99 = 80 ms');
  for (let i = 0; i < 10; i++) timeout.succeeded(900);
  assert.equal(timeout.currentMs(), 2000, 'capped at the ceiling');
});

test('after a timeout the next request waits the ceiling, until a reply arrives', () => {
  const timeout = new AdaptiveTimeout({ minMs: 50, maxMs: 1000, minSamples: 1 });
  timeout.succeeded(30);
  assert.equal(timeout.currentMs(), 120);
  timeout.timedOut();
  assert.equal(timeout.currentMs(), 1000);
  timeout.succeeded(30);
  assert.equal(timeout.currentMs(), 120);
});

test('rejects bounds that make no sense', () => {
  assert.throws(() => new AdaptiveTimeout({ minMs: 0, maxMs: 10 }), /0 < minMs ≤ maxMs/);
  assert.throws(() => new AdaptiveTimeout({ minMs: 20, maxMs: 10 }), /minMs 20, maxMs 10/);
});

test('the latency window keeps the last samples and reports p50/p99/max', () => {
  const window = new LatencyWindow(4);
  assert.deepEqual(window.distribution(), { p50: 0, p99: 0, max: 0 });
  for (const ms of [100, 1, 2, 3, 4]) window.add(ms);
  assert.equal(window.size, 4);
  assert.deepEqual(window.distribution(), { p50: 2, p99: 4, max: 4 }, 'the 100 ms sample was overwritten');
});
