import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCli } from '../../../modbus_slave/src/cli-options.ts';

describe('egw-sim command line', () => {
  it('reads one device from --profile/--port/--unit/--host', () => {
    const { options } = parseCli([
      '--profile',
      'huawei',
      '--port',
      '5020',
      '--unit',
      '3',
      '--host',
      '0.0.0.0',
    ]);
    assert.deepEqual(options.devices, [{ profile: 'huawei', port: 5020, unit: 3, host: '0.0.0.0' }]);
  });

  it('reads several --device profile:port[:unit[:id]] and applies fault flags to each', () => {
    const { options } = parseCli([
      '--device',
      'huawei:5020:1',
      '--device',
      'sunspec:5021:126:inv2',
      '--exception-rate',
      '0.1',
      '--exception-codes',
      '06,0b',
      '--latency',
      '100-300',
      '--single-client',
      '--seed',
      '9',
      '--speed',
      '60',
      '--frequency-hz',
      '60',
    ]);
    assert.equal(options.devices.length, 2);
    assert.deepEqual(options.devices[1], {
      profile: 'sunspec',
      port: 5021,
      unit: 126,
      id: 'inv2',
      faults: { exceptionRate: 0.1, exceptionCodes: [6, 11], latencyMs: [100, 300], singleClient: true },
    });
    assert.equal(options.seed, 9);
    assert.equal(options.speed, 60);
    assert.equal(options.frequencyHz, 60);
  });

  it('reads a scenario file and merges flag devices after it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'egw-sim-'));
    try {
      const file = join(dir, 'site.json');
      writeFileSync(
        file,
        JSON.stringify({
          seed: 4,
          startTime: '2026-06-21T10:00:00Z',
          devices: [{ profile: 'sdm630', port: 0, unit: 2, faults: { dropRate: 0.01 } }],
        }),
      );
      const { options } = parseCli(['--scenario', file, '--profile', 'huawei', '--port', '0']);
      assert.equal(options.seed, 4);
      assert.equal(options.startTime, Date.UTC(2026, 5, 21, 10));
      assert.deepEqual(
        options.devices.map((d) => d.profile),
        ['sdm630', 'huawei'],
      );
      assert.deepEqual(options.devices[0]!.faults, { dropRate: 0.01 });
      writeFileSync(file, JSON.stringify({ devices: [{ profile: 'x', colour: 'red' }] }));
      assert.throws(() => parseCli(['--scenario', file]), /colour/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the flag that is wrong', () => {
    assert.throws(() => parseCli([]), /no device/);
    assert.throws(() => parseCli(['--profile', 'huawei', '--drop-rate', '2']), /--drop-rate 2/);
    assert.throws(() => parseCli(['--profile', 'huawei', '--frequency-hz', '55']), /50 or 60/);
    assert.throws(() => parseCli(['--profile', 'huawei', '--start-time', 'yesterday']), /--start-time/);
    assert.throws(() => parseCli(['--profile', 'huawei', '--bogus']), /bogus/);
  });

  it('reads --serial with a baud rate and --help', () => {
    const settings = parseCli(['--profile', 'sdm630', '--serial', '/dev/pts/9', '--baud', '19200']);
    assert.deepEqual(settings.serial, { path: '/dev/pts/9', baudRate: 19200 });
    assert.equal(parseCli(['--help']).help, true);
  });
});
