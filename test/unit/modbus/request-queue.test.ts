import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TransportError } from '../../../server/src/core/errors.ts';
import { RequestQueue } from '../../../server/src/modbus/request-queue.ts';

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

test('runs one job at a time in arrival order, whatever the outcome of the previous', async () => {
  const queue = new RequestQueue('q');
  const log: string[] = [];
  const first = deferred<string>();
  const a = queue.push(async () => {
    log.push('a start');
    return first.promise;
  });
  const b = queue.push(async () => {
    log.push('b start');
    throw new Error('b failed');
  });
  const c = queue.push(async () => {
    log.push('c start');
    return 'c';
  });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(log, ['a start'], 'b waits until a settles');
  assert.equal(queue.depth, 2);
  first.resolve('a');
  assert.equal(await a, 'a');
  await assert.rejects(b, /b failed/);
  assert.equal(await c, 'c');
  assert.deepEqual(log, ['a start', 'b start', 'c start']);
  assert.equal(queue.busy, false);
});

test('a waiting job whose signal aborts is dropped and rejects with the reason', async () => {
  const queue = new RequestQueue('q');
  const gate = deferred<void>();
  const running = queue.push(() => gate.promise);
  const controller = new AbortController();
  let ran = false;
  const waiting = queue.push(async () => {
    ran = true;
  }, controller.signal);
  controller.abort(new Error('caller gave up'));
  await assert.rejects(waiting, /caller gave up/);
  gate.resolve();
  await running;
  assert.equal(ran, false);
});

test('refuses jobs beyond the waiting limit, and rejectWaiting empties the queue', async () => {
  const queue = new RequestQueue('inv1', 1);
  const gate = deferred<void>();
  const running = queue.push(() => gate.promise);
  const second = queue.push(async () => 2);
  await assert.rejects(
    queue.push(async () => 3),
    (e) => e instanceof TransportError && /inv1: 1 requests already waiting/.test(e.message),
  );
  queue.rejectWaiting(new Error('closed'));
  await assert.rejects(second, /closed/);
  gate.resolve();
  await running;
});

test('RequestQueue priorities: runs low-priority jobs only after every waiting normal job, and only while the gate is open', async () => {
  const queue = new RequestQueue('q');
  const order: string[] = [];
  let gateOpen = false;
  queue.lowGate = () => gateOpen;
  let release!: () => void;
  const first = queue.push(() => new Promise<void>((r) => (release = r)).then(() => void order.push('n1')));
  const low = queue.push(async () => void order.push('low'), undefined, true);
  const second = queue.push(async () => void order.push('n2'));
  release();
  await Promise.all([first, second]);
  assert.deepEqual(order, ['n1', 'n2']);
  assert.equal(queue.lowDepth, 1);
  gateOpen = true;
  queue.kick();
  await low;
  assert.deepEqual(order, ['n1', 'n2', 'low']);
});
