/**
 * The wired gateway (buildGateway) against the simulator over loopback, SQLite on disk: devices added
 * and removed through the API are read at once and stay added/removed across a restart; settings
 * changed through the API are validated, applied and persisted.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type RunningSimulator } from '../../../modbus_slave/src/simulator.ts';
import { ConfigSchema } from '../../../server/src/config/schema.ts';
import { SystemClock } from '../../../server/src/core/clock.ts';
import { silentLogger } from '../../../server/src/core/logger.ts';
import { Scheduler } from '../../../server/src/engine/scheduler.ts';
import { buildGateway } from '../../../server/src/gateway/build-gateway.ts';
import type { RunningGateway } from '../../../server/src/gateway/start-gateway.ts';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('gateway at run time', { timeout: 60_000 }, () => {
  let dir: string;
  let sim: RunningSimulator;
  let running: { gateway: RunningGateway; engine: Scheduler } | undefined;

  const device = (i: number) => {
    const d = sim.devices[i]!;
    return { id: d.id, type: 'tcp' as const, host: d.host, port: d.port, unit: d.unit, profile: d.profile };
  };
  const start = async (): Promise<RunningGateway> => {
    const clock = new SystemClock();
    const engine = new Scheduler({ clock });
    engine.start();
    const config = ConfigSchema.parse({
      dataDir: join(dir, 'data'),
      http: { host: '127.0.0.1', port: 0 },
      devices: [device(0)],
    });
    const gateway = await buildGateway({ config, clock, logger: silentLogger(), engine });
    running = { gateway, engine };
    return gateway;
  };
  const stop = async (): Promise<void> => {
    if (!running) return;
    await running.engine.stop(3000);
    await running.gateway.stop();
    running = undefined;
  };
  const call = async (gw: RunningGateway, method: string, path: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${gw.httpPort}${path}`, {
      method,
      headers: { authorization: `Bearer ${gw.apiToken}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const ids = async (gw: RunningGateway) =>
    ((await call(gw, 'GET', '/api/devices')).body.devices as { id: string }[]).map((d) => d.id).sort();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'egw-gw-'));
    sim = await startSimulator({
      devices: [
        { profile: 'huawei', id: 'inv1' },
        { profile: 'huawei', id: 'inv2' },
      ],
    });
  });
  after(async () => {
    await stop();
    await sim?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a device added through the API is harvested at once and survives a restart; removal too', async () => {
    let gw = await start();
    const added = await call(gw, 'POST', '/api/devices', device(1));
    assert.equal(added.status, 201, JSON.stringify(added.body));
    let reading: { status: number; body: Record<string, unknown> } | undefined;
    for (let i = 0; i < 50 && reading?.status !== 200; i++) {
      await sleep(100);
      reading = await call(gw, 'GET', '/api/devices/inv2/reading');
    }
    assert.equal(reading?.status, 200);
    const duplicate = await call(gw, 'POST', '/api/devices', device(1));
    assert.equal(duplicate.status, 400);
    assert.equal((duplicate.body.error as { field: string }).field, 'id');

    await stop();
    gw = await start();
    assert.deepEqual(await ids(gw), ['inv1', 'inv2']);
    assert.equal((await call(gw, 'DELETE', '/api/devices/inv1')).status, 200);
    await stop();
    gw = await start();
    assert.deepEqual(await ids(gw), ['inv2'], 'a removed config-file device stays removed');
    await stop();
  });

  test('settings changed through the API are validated, applied and kept across a restart', async () => {
    let gw = await start();
    const bad = await call(gw, 'POST', '/api/settings', { harvest: { batchSize: 0 } });
    assert.equal(bad.status, 400);
    assert.equal((bad.body.error as { field: string }).field, 'harvest.batchSize');
    const batches: number[] = [];
    gw.bus.on('batch', (b) => batches.push(b.harvests));
    const ok = await call(gw, 'POST', '/api/settings', { harvest: { batchSize: 2 } });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    for (let i = 0; i < 60 && batches.length === 0; i++) await sleep(100);
    assert.equal(batches[0], 2, 'the next batch already has the new size');
    await stop();
    gw = await start();
    const settings = await call(gw, 'GET', '/api/settings');
    assert.equal((settings.body.harvest as { batchSize: number }).batchSize, 2);
    await stop();
  });
});
