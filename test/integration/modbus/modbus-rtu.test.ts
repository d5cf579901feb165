/**
 * Modbus RTU end to end on a pseudo-terminal pair (socat): the simulator's RTU server on one end,
 * the connection layer (modbus-serial connectRTUBuffered) on the other.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SystemClock } from '../../../server/src/core/clock.ts';
import { ModbusError, TimeoutError } from '../../../server/src/core/errors.ts';
import { ModbusConnection } from '../../../server/src/modbus/modbus-connection.ts';
import { ModbusRtuServer } from '../../../modbus_slave/src/server/modbus-rtu-server.ts';
import { egw } from '../devices/egw-cli.ts';
import { sunspecDevice } from '../devices/profile-images.ts';

const hasSocat = spawnSync('socat', ['-V']).status === 0;
const skip = hasSocat ? false : 'socat is not installed';

let dir: string;
let socat: ChildProcess | undefined;
let server: ModbusRtuServer | undefined;

async function waitFor(paths: string[]): Promise<void> {
  for (let i = 0; i < 100 && !paths.every((p) => existsSync(p)); i++)
    await new Promise((r) => setTimeout(r, 20));
}

before(async () => {
  if (!hasSocat) return;
  dir = mkdtempSync(join(tmpdir(), 'egw-rtu-'));
  socat = spawn('socat', [`pty,raw,echo=0,link=${dir}/server`, `pty,raw,echo=0,link=${dir}/client`], {
    stdio: 'ignore',
  });
  await waitFor([`${dir}/server`, `${dir}/client`]);
  const image = { holding: new Map<number, number>(), input: new Map<number, number>() };
  for (let a = 0; a < 10; a++) image.holding.set(100 + a, 1000 + a);
  image.input.set(5, 77);
  const sunspec = sunspecDevice().image;
  server = new ModbusRtuServer({
    path: `${dir}/server`,
    baudRate: 9600,
    imageFor: (unit) => (unit === 2 ? image : unit === 1 ? sunspec : undefined),
  });
  await server.open();
});

after(async () => {
  await server?.close();
  socat?.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('reads over RTU, surfaces exceptions and recovers from a silent unit', { skip }, async () => {
  const connection = new ModbusConnection({
    device: 'meter1',
    target: { type: 'rtu', path: `${dir}/client`, baud: 9600, parity: 'none' },
    clock: new SystemClock(),
    timeouts: { connectMs: 2000, minMs: 300, maxMs: 500 },
  });
  try {
    assert.deepEqual(
      await connection.readRegisters({ fc: 3, unit: 2, address: 100, count: 3 }),
      [1000, 1001, 1002],
    );
    assert.deepEqual(await connection.readRegisters({ fc: 4, unit: 2, address: 5, count: 1 }), [77]);
    await assert.rejects(
      connection.readRegisters({ fc: 3, unit: 2, address: 9000, count: 1 }),
      (e) => e instanceof ModbusError && e.exceptionCode === 2,
    );
    // No device at unit 9 on this bus: silence, a timeout, the port is reopened.
    await assert.rejects(connection.readRegisters({ fc: 3, unit: 9, address: 100, count: 1 }), TimeoutError);
    assert.deepEqual(await connection.readRegisters({ fc: 3, unit: 2, address: 109, count: 1 }), [1009]);
    const stats = connection.stats();
    assert.equal(stats.timeouts, 1);
    assert.equal(stats.reconnects, 1);
    assert.deepEqual(stats.exceptions, { '02': 1 });
  } finally {
    await connection.close();
  }
});

test('egw read --serial reads a SunSpec device over RTU', { skip }, async () => {
  const run = await egw([
    'read',
    '--serial',
    `${dir}/client`,
    '--baud',
    '9600',
    '--unit',
    '1',
    '--profile',
    'sunspec',
    '--json',
  ]);
  assert.equal(run.code, 0, run.stderr);
  const reading = JSON.parse(run.stdout) as Record<string, unknown>;
  assert.equal(reading.profile, 'sunspec');
  assert.equal(reading.ac_power_w, 3120);
  assert.equal(reading.model, 'TEST-5K');
});
