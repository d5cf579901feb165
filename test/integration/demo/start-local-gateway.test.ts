/**
 * startLocalGateway: the in-process simulator and the real gateway wiring; task runs reach both the
 * caller's observer and /metrics, stop() removes the temp data dir, a failed start stops what it began.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { startSimulator } from '../../../modbus_slave/src/simulator.ts';
import { startLocalGateway } from '../../../server/src/demo/start-local-gateway.ts';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test('runs the gateway against the simulator; task runs reach the observer and /metrics', async () => {
  const kinds = new Set<string>();
  const local = await startLocalGateway({
    devices: [{ profile: 'sdm630', id: 'meter' }],
    observer: { runFinished: (r) => void kinds.add(r.kind) },
  });
  const dataDir = local.gateway.dataDir;
  try {
    assert.deepEqual(
      local.simulator.devices.map((d) => d.id),
      ['meter'],
    );
    const base = `http://127.0.0.1:${local.gateway.httpPort}`;
    let metrics = '';
    for (let i = 0; i < 50 && !metrics.includes('kind="frequency"'); i++) {
      await sleep(100);
      metrics = await (await fetch(`${base}/metrics`)).text();
    }
    assert.match(metrics, /egw_task_start_lag_seconds_count\{kind="frequency"\} [1-9]/);
    assert.ok(kinds.has('frequency'), 'the caller observer sees the frequency runs too');
    let res = await fetch(`${base}/api/devices/meter/reading`);
    for (let i = 0; i < 50 && res.status === 404; i++) {
      await sleep(100);
      res = await fetch(`${base}/api/devices/meter/reading`);
    }
    assert.equal(((await res.json()) as { device?: string }).device, 'meter', 'the simulator is read');
  } finally {
    await local.stop();
  }
  assert.equal(existsSync(dataDir), false, 'the temp data dir is removed');
});

test('a failed start stops the simulator it was given and rethrows', async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const { port } = blocker.address() as { port: number };
  const sim = await startSimulator({ devices: [{ profile: 'sdm630' }] });
  let stops = 0;
  try {
    await assert.rejects(
      startLocalGateway({
        simulator: { devices: sim.devices, stop: async () => void stops++ },
        config: { http: { host: '127.0.0.1', port } },
      }),
      (error: NodeJS.ErrnoException) => error.code === 'EADDRINUSE',
    );
    assert.equal(stops, 1);
  } finally {
    await sim.stop();
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  }
});
