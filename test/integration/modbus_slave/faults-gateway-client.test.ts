import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { SystemClock } from '../../../server/src/core/clock.ts';
import { ModbusError, TimeoutError, TransportError } from '../../../server/src/core/errors.ts';
import { Backoff } from '../../../server/src/core/backoff.ts';
import { ModbusConnection } from '../../../server/src/modbus/modbus-connection.ts';
import type { RegisterRequest } from '../../../server/src/modbus/modbus-link.ts';
import { startSimulator, type RunningSimulator } from '../../../modbus_slave/src/simulator.ts';
import type { FaultController } from '../../../modbus_slave/src/faults/fault-controller.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('each simulator fault, seen by the gateway client (ModbusConnection), which recovers once lifted', () => {
  let sim: RunningSimulator;
  let faults: FaultController;
  let connection: ModbusConnection;
  let request: RegisterRequest;

  before(async () => {
    sim = await startSimulator({ devices: [{ profile: 'huawei', id: 'inv' }], seed: 3 });
    faults = sim.faults('inv');
    const device = sim.devices[0]!;
    request = { fc: 3, unit: device.unit, address: 32064, count: 26 };
    connection = new ModbusConnection({
      device: 'inv',
      target: { type: 'tcp', host: device.host, port: device.port },
      clock: new SystemClock(),
      // A fixed 800 ms timeout: far above a loaded CI's answer time, far below the slow fault's delay.
      timeouts: { connectMs: 1000, minMs: 800, maxMs: 800, factor: 4 },
      backoff: new Backoff({ initialMs: 20, maxMs: 100, jitter: 0 }),
    });
  });
  after(async () => {
    await connection?.close();
    await sim?.stop();
  });

  const read = () => connection.readRegisters(request);

  /** Reads until one succeeds (the client may need a reconnect or two); fails after 5 s. */
  async function recovers(): Promise<void> {
    const until = Date.now() + 5000;
    let last: unknown;
    while (Date.now() < until) {
      try {
        const words = await read();
        assert.equal(words.length, 26);
        return;
      } catch (error) {
        last = error;
        await sleep(50);
      }
    }
    assert.fail(`no recovery after the fault was lifted: ${String(last)}`);
  }

  it('reads normally without faults', async () => {
    await recovers();
  });

  for (const code of [2, 4, 6, 11]) {
    it(`exception ${code.toString(16).padStart(2, '0')}: a ModbusError with that code, then normal reads`, async () => {
      faults.set({ exceptionRate: 1, exceptionCodes: [code as 2] });
      await assert.rejects(
        read(),
        (error: unknown) => error instanceof ModbusError && error.exceptionCode === code,
      );
      faults.clear();
      await recovers();
    });
  }

  it('drop: the connection closes instead of an answer (TransportError), then reconnects', async () => {
    faults.set({ dropRate: 1 });
    await assert.rejects(read(), TransportError);
    faults.clear();
    await recovers();
    assert.ok(faults.counts().drop >= 1);
  });

  it('slow answers beyond the timeout: TimeoutError, then normal reads', async () => {
    faults.set({ latencyMs: [1200, 1300] });
    await assert.rejects(read(), TimeoutError);
    faults.clear();
    await recovers();
  });

  it('slow answers within the timeout are still answers', async () => {
    faults.set({ latencyMs: 50 });
    assert.equal((await read()).length, 26);
    faults.clear();
  });

  it('silent: TimeoutError, then normal reads', async () => {
    faults.set({ silent: true });
    await assert.rejects(read(), TimeoutError);
    faults.clear();
    await recovers();
  });

  it('malformed frame: rejected (never taken as data), then normal reads', async () => {
    faults.set({ malformedRate: 1 });
    await assert.rejects(
      read(),
      (error: unknown) => error instanceof TransportError || error instanceof TimeoutError,
    );
    faults.clear();
    await recovers();
  });

  it('mixed-up transaction ids: rejected (never taken as data), then normal reads', async () => {
    faults.set({ txidMismatchRate: 1 });
    await assert.rejects(
      read(),
      (error: unknown) => error instanceof TransportError || error instanceof TimeoutError,
    );
    faults.clear();
    await recovers();
  });

  it('single client: a second client is refused while one is served; the gateway waits its turn', async () => {
    faults.set({ singleClient: true });
    await recovers();
    const intruder: Socket = connect(sim.devices[0]!.port, '127.0.0.1');
    intruder.on('error', () => {});
    await once(intruder, 'close');
    assert.equal((await read()).length, 26, 'the connected gateway is still served');
    await connection.release();
    await sleep(50);
    const other: Socket = connect(sim.devices[0]!.port, '127.0.0.1');
    await once(other, 'connect');
    await sleep(50);
    assert.equal(other.destroyed, false, 'the other client holds the device');
    await assert.rejects(
      read(),
      (error: unknown) => error instanceof TransportError || error instanceof TimeoutError,
    );
    other.destroy();
    await sleep(50);
    await recovers();
    faults.clear();
    assert.ok(faults.counts().refused >= 2);
  });

  it('drop on demand: open connections close, the client reconnects', async () => {
    await recovers();
    faults.dropConnections();
    await sleep(20);
    await recovers();
    assert.ok(connection.stats().reconnects >= 1);
  });

  it('reboot: refused while down, then served again with the energy counter continued', async () => {
    await recovers();
    const before = sim.values('inv').energy_total_wh!;
    faults.reboot(400);
    await assert.rejects(
      read(),
      (error: unknown) => error instanceof TransportError || error instanceof TimeoutError,
    );
    await sleep(450);
    await recovers();
    assert.ok(sim.values('inv').energy_total_wh! >= before);
    assert.equal(sim.values('inv').status, 'starting');
    assert.equal(faults.counts().reboot, 1);
    const stats = sim.stats().devices[0]!;
    assert.ok(stats.faultsTotal >= 10, `faults counted: ${JSON.stringify(stats.faults)}`);
  });
});
