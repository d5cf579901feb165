import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { SystemClock } from '../../../server/src/core/clock.ts';
import { ModbusError, TimeoutError, TransportError } from '../../../server/src/core/errors.ts';
import { ModbusConnection } from '../../../server/src/modbus/modbus-connection.ts';
import { ModbusResponder, type ResponderAction } from '../../fakes/modbus-responder.ts';

const clock = new SystemClock();
const values = Array.from({ length: 125 }, (_, i) => (i * 257 + 3) & 0xffff);

describe('ModbusConnection over TCP against a raw-socket responder', () => {
  let responder: ModbusResponder;
  let connection: ModbusConnection;

  before(async () => {
    responder = await ModbusResponder.start({ units: [1, 2] });
    responder.set(3, 1, 100, values);
    responder.set(
      4,
      1,
      100,
      values.map((v) => v ^ 0xffff),
    );
    responder.set(3, 2, 100, [42, 43]);
  });
  after(() => responder.close());
  beforeEach(async () => {
    await connection?.close();
    connection = new ModbusConnection({
      device: 'inv1',
      target: { type: 'tcp', host: '127.0.0.1', port: responder.port },
      clock,
      // Short, fixed timeouts so fault tests stay fast; the adaptive rule has its own unit tests.
      timeouts: { connectMs: 1000, minMs: 150, maxMs: 150 },
    });
  });
  after(() => connection.close());

  test('reads FC3 and FC4 registers with the unit id of each request', async () => {
    assert.deepEqual(await connection.readRegisters({ fc: 3, unit: 1, address: 100, count: 125 }), values);
    assert.deepEqual(await connection.readRegisters({ fc: 4, unit: 1, address: 110, count: 2 }), [
      values[10]! ^ 0xffff,
      values[11]! ^ 0xffff,
    ]);
    assert.deepEqual(await connection.readRegisters({ fc: 3, unit: 2, address: 100, count: 2 }), [42, 43]);
    const stats = connection.stats();
    assert.equal(stats.state, 'connected');
    assert.equal(stats.requests, 3);
    assert.equal(stats.failures, 0);
    assert.ok(stats.latencyMs.max > 0);
    assert.equal(typeof stats.lastOkAt, 'number');
  });

  const linkFaults: Array<{ name: string; action: ResponderAction; error: new (...args: never[]) => Error }> =
    [
      { name: 'drops the socket mid-request', action: { kind: 'drop' }, error: TransportError },
      { name: 'answers late', action: { kind: 'late', delayMs: 400 }, error: TimeoutError },
      { name: 'never answers', action: { kind: 'silent' }, error: TimeoutError },
      { name: 'sends a malformed frame', action: { kind: 'malformed' }, error: TransportError },
      { name: 'answers with a wrong transaction id', action: { kind: 'wrong-tid' }, error: TimeoutError },
    ];
  for (const fault of linkFaults) {
    test(`when the device ${fault.name}: typed error, reconnect, next read succeeds`, async () => {
      await connection.readRegisters({ fc: 3, unit: 1, address: 100, count: 2 });
      const connectionsBefore = responder.connections;
      responder.next(fault.action);
      await assert.rejects(connection.readRegisters({ fc: 3, unit: 1, address: 100, count: 2 }), (error) => {
        assert.ok(error instanceof fault.error, `got ${String(error)}`);
        assert.match((error as Error).message, /^inv1 unit 1 FC3 100\+2: /);
        return true;
      });
      assert.deepEqual(
        await connection.readRegisters({ fc: 3, unit: 1, address: 102, count: 3 }),
        values.slice(2, 5),
      );
      assert.equal(responder.connections, connectionsBefore + 1, 'one new connection');
      const stats = connection.stats();
      assert.equal(stats.failures, 1);
      assert.equal(stats.reconnects, 1);
      assert.equal(stats.timeouts, fault.error === TimeoutError ? 1 : 0);
      assert.equal(stats.state, 'connected');
    });
  }

  for (const code of [2, 4, 6, 11]) {
    test(`exception ${code} surfaces as ModbusError without reconnecting`, async () => {
      await connection.readRegisters({ fc: 3, unit: 1, address: 100, count: 1 });
      const connectionsBefore = responder.connections;
      responder.next({ kind: 'exception', code });
      await assert.rejects(connection.readRegisters({ fc: 3, unit: 1, address: 100, count: 1 }), (error) => {
        assert.ok(error instanceof ModbusError);
        assert.equal(error.exceptionCode, code);
        assert.equal(error.where.device, 'inv1');
        assert.equal(error.where.register, 100);
        return true;
      });
      assert.deepEqual(await connection.readRegisters({ fc: 3, unit: 1, address: 100, count: 1 }), [
        values[0],
      ]);
      assert.equal(responder.connections, connectionsBefore, 'same socket');
      const stats = connection.stats();
      assert.deepEqual(stats.exceptions, { [code.toString(16).padStart(2, '0')]: 1 });
      assert.equal(stats.reconnects, 0);
      assert.equal(stats.failures, 1);
    });
  }

  test('a register the device does not have is exception 02', async () => {
    await assert.rejects(
      connection.readRegisters({ fc: 3, unit: 1, address: 5000, count: 1 }),
      (error) => error instanceof ModbusError && error.exceptionCode === 2,
    );
  });

  test('50 concurrent callers: one request in flight, every caller gets its own answer', async () => {
    const slow = await ModbusResponder.start({ replyDelayMs: 1 });
    slow.set(3, 1, 0, values);
    const busy = new ModbusConnection({
      device: 'm1',
      target: { type: 'tcp', host: '127.0.0.1', port: slow.port },
      clock,
    });
    try {
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) => busy.readRegisters({ fc: 3, unit: 1, address: i, count: 3 })),
      );
      answers.forEach((answer, i) => assert.deepEqual(answer, values.slice(i, i + 3)));
      assert.equal(slow.requests.length, 50);
      assert.equal(slow.maxOutstanding, 1);
      assert.equal(slow.connections, 1);
    } finally {
      await busy.close();
      await slow.close();
    }
  });
});

describe('ModbusConnection connect failures', () => {
  test('a refused connection is a TransportError naming the device, then a growing pause', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const connection = new ModbusConnection({
      device: 'meter9',
      target: { type: 'tcp', host: '127.0.0.1', port },
      clock,
    });
    try {
      await assert.rejects(connection.readRegisters({ fc: 3, unit: 1, address: 0, count: 1 }), (error) => {
        assert.ok(error instanceof TransportError);
        assert.match(error.message, new RegExp(`^meter9 \\(127\\.0\\.0\\.1:${port}\\): cannot connect`));
        return true;
      });
      // First reconnect is immediate; after the second failure a pause applies and requests fail fast.
      await assert.rejects(
        connection.readRegisters({ fc: 3, unit: 1, address: 0, count: 1 }),
        TransportError,
      );
      assert.equal(connection.state(), 'backoff');
      await assert.rejects(
        connection.readRegisters({ fc: 3, unit: 1, address: 0, count: 1 }),
        /meter9 .*: reconnecting in \d+ ms after/,
      );
      assert.equal(connection.stats().failures, 2);
    } finally {
      await connection.close();
    }
  });
});
