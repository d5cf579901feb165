/**
 * P1 smart meters end to end: the simulator writes DSMR 5 telegrams (every 3rd with a wrong CRC) to
 * one end of a pty pair and serves the HomeWizard P1 API; `egw read` and `egw run` read both sources
 * into canonical meter readings, dropping and counting the bad telegrams.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type RunningSimulator } from '../../../modbus_slave/src/simulator.ts';
import { egw } from './egw-cli.ts';
import { freePort, getJson, startEgw, until } from '../egw-process.ts';

const skip = spawnSync('socat', ['-V']).status === 0 ? false : 'socat is not installed';
let dir: string;
let socat: ChildProcess | undefined;
let sim: RunningSimulator | undefined;

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'egw-p1-'));
  socat = spawn('socat', [`pty,raw,echo=0,link=${dir}/meter`, `pty,raw,echo=0,link=${dir}/p1`], {
    stdio: 'ignore',
  });
  await until('the pty pair', () => existsSync(`${dir}/meter`) && existsSync(`${dir}/p1`), 5000);
  sim = await startSimulator({
    devices: [{ profile: 'sdm630', id: 'meter' }],
    p1: { serialPath: `${dir}/meter`, badCrcEvery: 3, homewizardPort: 0 },
  });
});
after(async () => {
  await sim?.stop();
  socat?.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const METER_FIELDS = [
  'grid_power_w',
  'grid_power_l1_w',
  'energy_import_t1_wh',
  'energy_import_t2_wh',
  'energy_export_wh',
  'ac_voltage_l1_v',
  'gas_volume_m3',
];

describe('P1 smart meters', { skip }, () => {
  it('egw read decodes a DSMR telegram from the serial port and the HomeWizard API', async () => {
    const serial = await egw(['read', '--p1', `${dir}/p1`, '--json']);
    assert.equal(serial.code, 0, serial.stderr);
    const telegram = JSON.parse(serial.stdout) as Record<string, unknown>;
    for (const field of METER_FIELDS) assert.equal(typeof telegram[field], 'number', `P1 ${field}`);
    assert.equal(telegram.make, 'Iskra');
    assert.equal(
      telegram.energy_import_wh,
      (telegram.energy_import_t1_wh as number) + (telegram.energy_import_t2_wh as number),
    );

    const api = await egw(['read', '--homewizard', '127.0.0.1', `--port=${sim!.homewizardPort}`, '--json']);
    assert.equal(api.code, 0, api.stderr);
    const hw = JSON.parse(api.stdout) as Record<string, unknown>;
    for (const field of METER_FIELDS) assert.equal(typeof hw[field], 'number', `HomeWizard ${field}`);
    assert.equal(hw.make, 'HomeWizard');
    assert.equal(hw.model, 'HWE-P1');
  });

  it(
    'egw run harvests both sources and drops and counts telegrams with a bad CRC',
    { timeout: 60_000 },
    async () => {
      const httpPort = await freePort();
      const config = join(dir, 'config.json');
      writeFileSync(
        config,
        JSON.stringify({
          dataDir: join(dir, 'data'),
          http: { host: '127.0.0.1', port: httpPort },
          harvest: { intervalMs: 500 },
          devices: [
            { id: 'p1', type: 'p1', path: `${dir}/p1` },
            { id: 'hw', type: 'homewizard', host: '127.0.0.1', port: sim!.homewizardPort },
          ],
        }),
      );
      const run = startEgw(['run', '--config', config]);
      const api = (path: string): Promise<Record<string, unknown> | undefined> => getJson(httpPort, path);
      try {
        for (const id of ['p1', 'hw']) {
          const reading = await until(`a reading of ${id}`, () => api(`/api/devices/${id}/reading`));
          for (const field of METER_FIELDS) assert.equal(typeof reading[field], 'number', `${id} ${field}`);
        }
        const stats = await until('a bad telegram counted', async () => {
          const s = (await api('/api/devices/p1'))?.stats as
            { malformed?: number; requests?: number } | undefined;
          return (s?.malformed ?? 0) >= 1 && (s?.requests ?? 0) >= 2 ? s : undefined;
        });
        assert.ok(stats.requests! >= 2 * stats.malformed! - 1, 'two good telegrams per bad one');
        assert.equal(run.child.exitCode, null, 'egw run is still running');
      } finally {
        run.child.kill('SIGTERM');
        await run.done;
      }
    },
  );
});
