import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { SystemClock } from '../../../server/src/core/clock.ts';
import { ModbusError, TimeoutError } from '../../../server/src/core/errors.ts';
import { ModbusConnection } from '../../../server/src/modbus/modbus-connection.ts';
import { startSimulator, type RunningSimulator } from '../../../modbus_slave/src/simulator.ts';

const haveSocat = spawnSync('socat', ['-V'], { stdio: 'ignore' }).status === 0;

/** A connected pty pair from socat; resolves both paths. */
async function ptyPair(): Promise<{ socat: ChildProcess; a: string; b: string }> {
  const socat = spawn('socat', ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const paths: string[] = [];
  let text = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`socat gave no ptys: ${text}`)), 5000);
    socat.stderr!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      paths.splice(0, paths.length, ...[...text.matchAll(/PTY is (\S+)/g)].map((m) => m[1]!));
      if (/starting data transfer loop/.test(text) && paths.length === 2) {
        clearTimeout(timer);
        resolve();
      }
    });
    socat.on('exit', () => reject(new Error(`socat exited: ${text}`)));
  });
  return { socat, a: paths[0]!, b: paths[1]! };
}

describe('Modbus RTU over a socat pty pair', { skip: haveSocat ? false : 'socat is not installed' }, () => {
  let pair: { socat: ChildProcess; a: string; b: string };
  let sim: RunningSimulator;
  let connection: ModbusConnection;

  before(async () => {
    pair = await ptyPair();
    sim = await startSimulator({
      devices: [
        { profile: 'sdm630', unit: 2, id: 'meter' },
        { profile: 'huawei', unit: 1, id: 'inv' },
      ],
      serial: { path: pair.a, baudRate: 9600 },
    });
    connection = new ModbusConnection({
      device: 'rtu',
      target: { type: 'rtu', path: pair.b, baud: 9600, parity: 'none' },
      clock: new SystemClock(),
      timeouts: { connectMs: 2000, minMs: 500, maxMs: 1000, factor: 4 },
    });
  });
  after(async () => {
    await connection?.close();
    await sim?.stop();
    pair?.socat.kill();
  });

  it('answers each unit on the bus with CRC-framed replies; faults apply per unit', async () => {
    const meter = await connection.readRegisters({ fc: 4, unit: 2, address: 0, count: 6 });
    assert.equal(meter.length, 6);
    const voltage = Buffer.from(Uint16Array.from(meter.slice(0, 2)).buffer)
      .swap16()
      .readFloatBE(0);
    assert.ok(voltage > 200 && voltage < 260, `L1 voltage ${voltage}`);
    const inverter = await connection.readRegisters({ fc: 3, unit: 1, address: 32064, count: 26 });
    assert.equal(inverter.length, 26);
    sim.faults('meter').set({ exceptionRate: 1, exceptionCodes: [6] });
    await assert.rejects(connection.readRegisters({ fc: 4, unit: 2, address: 0, count: 2 }), ModbusError);
    sim.faults('meter').clear();
    await assert.rejects(connection.readRegisters({ fc: 3, unit: 9, address: 0, count: 1 }), TimeoutError);
    assert.equal((await connection.readRegisters({ fc: 4, unit: 2, address: 0, count: 2 })).length, 2);
  });
});
