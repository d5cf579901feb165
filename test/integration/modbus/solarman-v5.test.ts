/**
 * Solarman V5 end to end: the simulator serves a meter behind a V5 logger stick; `egw read` and
 * `egw run` read it through the V5 transport; damaged frames (bad checksum, frame cut short) are
 * counted per device and never stop the gateway.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type RunningSimulator } from '../../../modbus_slave/src/simulator.ts';
import { egw } from '../devices/egw-cli.ts';
import { freePort, getJson, startEgw, until } from '../egw-process.ts';

const LOGGER = 2712345678;
let sim: RunningSimulator;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'egw-v5-'));
  sim = await startSimulator({ devices: [{ profile: 'sdm630', id: 'meter' }], solarmanLoggerSerial: LOGGER });
});
after(async () => {
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('Solarman V5 transport', () => {
  it('egw read reads a meter behind a V5 logger; a wrong logger serial gets no answer', async () => {
    const { port } = sim.devices[0]!;
    const ok = await egw([
      'read',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--solarman',
      String(LOGGER),
      '--profile',
      'sdm630',
      '--json',
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    const reading = JSON.parse(ok.stdout) as Record<string, unknown>;
    assert.equal(reading.make, 'Eastron');
    assert.equal(typeof reading.grid_power_w, 'number');
    assert.equal(typeof reading.energy_import_wh, 'number');
    const wrong = await egw([
      'read',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--solarman',
      String(LOGGER + 1),
      '--profile',
      'sdm630',
      '--timeout',
      '300',
    ]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /no reply/);
  });

  it(
    'egw run harvests through V5 and counts bad checksums and truncated frames without stopping',
    { timeout: 60_000 },
    async () => {
      const { port } = sim.devices[0]!;
      const httpPort = await freePort();
      const config = join(dir, 'config.json');
      writeFileSync(
        config,
        JSON.stringify({
          dataDir: join(dir, 'data'),
          http: { host: '127.0.0.1', port: httpPort },
          harvest: { intervalMs: 200, frequencyHz: 5 },
          devices: [
            {
              id: 'logger',
              type: 'solarmanv5',
              host: '127.0.0.1',
              port,
              loggerSerial: LOGGER,
              unit: 1,
              profile: 'sdm630',
            },
          ],
        }),
      );
      const run = startEgw(['run', '--config', config]);
      try {
        const api = (path: string): Promise<Record<string, unknown> | undefined> => getJson(httpPort, path);
        const first = await until('a reading', () => api('/api/devices/logger/reading'));
        assert.equal(typeof first.grid_power_w, 'number');
        // Every 2nd answer damaged: a bad V5 checksum, then a frame cut short and the connection closed.
        sim.faults('meter').set({ malformedRate: 0.5 });
        const stats = await until('malformed replies counted', async () => {
          const device = await api('/api/devices/logger');
          const s = device?.stats as { malformed?: number; reconnects?: number } | undefined;
          return (s?.malformed ?? 0) >= 4 && (s?.reconnects ?? 0) >= 1 ? s : undefined;
        });
        assert.ok(stats.malformed! >= 4);
        sim.faults('meter').clear();
        const before = Number(first.ts);
        const later = await until('readings again', async () => {
          const r = await api('/api/devices/logger/reading');
          return r && Number(r.ts) > before + 1000 ? r : undefined;
        });
        assert.equal(typeof later.grid_power_w, 'number');
        const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
        assert.match(metrics, /egw_modbus_malformed_replies\{device="logger"\} [1-9]/);
        assert.equal(run.child.exitCode, null, 'egw run is still running');
      } finally {
        run.child.kill('SIGTERM');
        await run.done;
      }
    },
  );
});
