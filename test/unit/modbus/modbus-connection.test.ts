import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flushAsync, ManualClock } from '../../../server/src/core/clock.ts';
import { ProfileError, TimeoutError, TransportError } from '../../../server/src/core/errors.ts';
import { Backoff } from '../../../server/src/core/backoff.ts';
import { ModbusConnection } from '../../../server/src/modbus/modbus-connection.ts';
import {
  LinkError,
  type LinkOpener,
  type ModbusLink,
  type RegisterRequest,
} from '../../../server/src/modbus/modbus-link.ts';

/** A link whose replies the test hands out by hand. */
class FakeLink implements ModbusLink {
  destroyed = false;
  readonly requests: RegisterRequest[] = [];
  private pending: { resolve: (v: number[]) => void; reject: (e: unknown) => void } | undefined;
  private closeListener: ((reason: string) => void) | undefined;

  read(request: RegisterRequest): Promise<number[]> {
    this.requests.push(request);
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
    });
  }
  reply(values: number[]): void {
    this.pending?.resolve(values);
  }
  fail(error: unknown): void {
    this.pending?.reject(error);
  }
  onClose(listener: (reason: string) => void): void {
    this.closeListener = listener;
  }
  peerClosed(): void {
    this.closeListener?.('closed by peer');
  }
  destroy(): Promise<void> {
    this.destroyed = true;
    this.pending?.reject(new LinkError({ kind: 'closed', message: 'destroyed' }));
    return Promise.resolve();
  }
}

function setup(options: { failConnects?: number } = {}) {
  const clock = new ManualClock();
  const links: FakeLink[] = [];
  let failConnects = options.failConnects ?? 0;
  const openLink: LinkOpener = async () => {
    if (failConnects > 0) {
      failConnects -= 1;
      throw new Error('ECONNREFUSED');
    }
    const link = new FakeLink();
    links.push(link);
    return link;
  };
  const connection = new ModbusConnection({
    device: 'inv1',
    target: { type: 'tcp', host: 'h', port: 502 },
    clock,
    openLink,
    timeouts: { connectMs: 1000, minMs: 100, maxMs: 2000, factor: 4 },
    backoff: new Backoff({ initialMs: 500, maxMs: 4000, jitter: 0 }),
  });
  return { clock, links, connection };
}

const request: RegisterRequest = { fc: 3, unit: 1, address: 40000, count: 2 };

test('a request without a reply times out after the adaptive timeout and the link is replaced', async () => {
  const { clock, links, connection } = setup();
  // Teach the connection a 10 ms latency: timeout becomes max(100, 4 × 10) = 100 ms.
  for (let i = 0; i < 8; i++) {
    const read = connection.readRegisters(request);
    await flushAsync();
    await clock.advance(10);
    links[0]!.reply([1, 2]);
    assert.deepEqual(await read, [1, 2]);
  }
  assert.equal(connection.currentTimeoutMs(), 100);
  const lost = connection.readRegisters(request);
  const outcome = assert.rejects(
    lost,
    (e) => e instanceof TimeoutError && /no reply within 100 ms/.test(e.message),
  );
  await clock.advance(99);
  assert.equal(links[0]!.destroyed, false);
  await clock.advance(1);
  await outcome;
  assert.equal(links[0]!.destroyed, true, 'a late reply can never reach the next request');
  assert.equal(connection.currentTimeoutMs(), 2000, 'after a timeout the ceiling applies');

  const next = connection.readRegisters(request);
  await flushAsync();
  assert.equal(links.length, 2);
  links[1]!.reply([3, 4]);
  assert.deepEqual(await next, [3, 4]);
  const stats = connection.stats();
  assert.equal(stats.timeouts, 1);
  assert.equal(stats.reconnects, 1);
  assert.equal(stats.requests, 10);
  assert.equal(connection.generation, 2);
});

test('consecutive connect failures pause reconnects with backoff; a reply resets it', async () => {
  const { clock, connection } = setup({ failConnects: 3 });
  await assert.rejects(connection.readRegisters(request), /inv1 \(h:502\): cannot connect: ECONNREFUSED/);
  assert.equal(connection.state(), 'disconnected', 'first reconnect is immediate');
  await assert.rejects(connection.readRegisters(request), /cannot connect/);
  assert.equal(connection.state(), 'backoff');
  await assert.rejects(
    connection.readRegisters(request),
    (e) => e instanceof TransportError && /reconnecting in 500 ms/.test(e.message),
  );
  await clock.advance(500);
  await assert.rejects(connection.readRegisters(request), /cannot connect/);
  await clock.advance(999);
  await assert.rejects(connection.readRegisters(request), /reconnecting in 1 ms/, 'second pause doubled');
  await clock.advance(1);
  const read = connection.readRegisters(request);
  await flushAsync();
  assert.equal(connection.state(), 'connected');
  assert.equal(connection.stats().failures, 3);
  read.catch(() => {});
  await connection.close();
  assert.equal(connection.state(), 'closed');
});

test('a connect that hangs fails after connectMs', async () => {
  const clock = new ManualClock();
  const connection = new ModbusConnection({
    device: 'inv1',
    target: { type: 'rtu', path: '/dev/ttyX', baud: 9600, parity: 'none' },
    clock,
    openLink: (_target, signal) =>
      new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))),
    timeouts: { connectMs: 700 },
  });
  const read = assert.rejects(
    connection.readRegisters(request),
    (e) =>
      e instanceof TimeoutError && /inv1 \(\/dev\/ttyX@9600\): no connection within 700 ms/.test(e.message),
  );
  await clock.advance(700);
  await read;
});

test('release() closes the link between polls without counting a reconnect', async () => {
  const { links, connection } = setup();
  const first = connection.readRegisters(request);
  await flushAsync();
  links[0]!.reply([1, 1]);
  await first;
  await connection.release();
  assert.equal(links[0]!.destroyed, true);
  assert.equal(connection.state(), 'disconnected');
  const second = connection.readRegisters(request);
  await flushAsync();
  links[1]!.reply([2, 2]);
  assert.deepEqual(await second, [2, 2]);
  assert.equal(connection.stats().reconnects, 0);
});

test('a link the device closes while idle is reopened on the next request and counted', async () => {
  const { links, connection } = setup();
  const first = connection.readRegisters(request);
  await flushAsync();
  links[0]!.reply([1, 1]);
  await first;
  links[0]!.peerClosed();
  const second = connection.readRegisters(request);
  await flushAsync();
  links[1]!.reply([2, 2]);
  await second;
  assert.equal(connection.stats().reconnects, 1);
  assert.equal(connection.stats().failures, 0);
});

test('an exception reply keeps the link; a malformed one replaces it', async () => {
  const { links, connection } = setup();
  const busy = connection.readRegisters(request);
  await flushAsync();
  links[0]!.fail(new LinkError({ kind: 'exception', code: 6 }));
  await assert.rejects(busy, { name: 'ModbusError', exceptionCode: 6 });
  const bad = connection.readRegisters(request);
  await flushAsync();
  assert.equal(links.length, 1);
  links[0]!.fail(new LinkError({ kind: 'malformed', message: 'Data length error' }));
  await assert.rejects(
    bad,
    (e) => e instanceof TransportError && /malformed reply \(Data length error\)/.test(e.message),
  );
  assert.equal(links[0]!.destroyed, true);
  assert.deepEqual(connection.stats().exceptions, { '06': 1 });
});

test('a caller that aborts a request on the wire gets its reason and the link is dropped', async () => {
  const { links, connection } = setup();
  const controller = new AbortController();
  const read = connection.readRegisters(request, controller.signal);
  await flushAsync();
  controller.abort(new Error('task cancelled'));
  await assert.rejects(read, /task cancelled/);
  assert.equal(links[0]!.destroyed, true);
  assert.equal(connection.stats().failures, 0);
});

test('the observer hears every finished request and every reconnect', async () => {
  const clock = new ManualClock();
  const links: FakeLink[] = [];
  const reports: unknown[] = [];
  const reconnected: string[] = [];
  const connection = new ModbusConnection({
    device: 'inv1',
    target: { type: 'tcp', host: 'h', port: 502 },
    clock,
    openLink: async () => {
      links.push(new FakeLink());
      return links.at(-1)!;
    },
    timeouts: { minMs: 100, maxMs: 100 },
    observer: { requestFinished: (r) => reports.push(r), reconnected: (d) => reconnected.push(d) },
  });
  const ok = connection.readRegisters(request);
  await flushAsync();
  await clock.advance(7);
  links[0]!.reply([1, 2]);
  await ok;
  const busy = connection.readRegisters(request);
  await flushAsync();
  links[0]!.fail(new LinkError({ kind: 'exception', code: 6 }));
  await busy.catch(() => {});
  const lost = connection.readRegisters(request).catch(() => {});
  await flushAsync();
  await clock.advance(100);
  await lost;
  const again = connection.readRegisters(request);
  await flushAsync();
  links[1]!.reply([3, 4]);
  await again;
  assert.deepEqual(reports, [
    { device: 'inv1', latencyMs: 7, ok: true },
    { device: 'inv1', latencyMs: 0, ok: false, exceptionCode: 6 },
    { device: 'inv1', latencyMs: 100, ok: false, timeout: true },
    { device: 'inv1', latencyMs: 0, ok: true },
  ]);
  assert.deepEqual(reconnected, ['inv1']);
});

test('a read outside 1-125 registers or the address space is refused before it reaches the wire', async () => {
  const { links, connection } = setup();
  await assert.rejects(
    connection.readRegisters({ fc: 3, unit: 1, address: 0, count: 126 }),
    (e) => e instanceof ProfileError && /^inv1 unit 1 FC3 0\+126: a read is 1-125 registers/.test(e.message),
  );
  await assert.rejects(connection.readRegisters({ fc: 4, unit: 1, address: 65535, count: 2 }), ProfileError);
  assert.equal(links.length, 0);
});
