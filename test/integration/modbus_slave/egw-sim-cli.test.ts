import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('egw-sim as a process', () => {
  let child: ChildProcessWithoutNullStreams | undefined;
  after(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('starts devices, answers the control API and stdin commands, stops cleanly on SIGTERM', async () => {
    child = spawn(
      process.execPath,
      [
        'bin/egw-sim.mjs',
        '--device',
        'huawei:0:1',
        '--device',
        'sdm630:0:2:meter',
        '--control-port',
        '0',
      ].concat(['--ready-json', '--seed', '5', '--log-level', 'silent']),
      { cwd: ROOT, stdio: 'pipe' },
    );
    const lines = createInterface({ input: child.stdout });
    const iterator = lines[Symbol.asyncIterator]();
    const next = async (): Promise<unknown> => JSON.parse((await iterator.next()).value as string);
    const ready = (await next()) as {
      ready: boolean;
      devices: { id: string; port: number }[];
      controlPort: number;
    };
    assert.equal(ready.ready, true);
    assert.deepEqual(
      ready.devices.map((d) => d.id),
      ['huawei', 'meter'],
    );
    const base = `http://127.0.0.1:${ready.controlPort}`;
    const set = await fetch(`${base}/devices/meter/faults`, {
      method: 'POST',
      body: JSON.stringify({ exceptionRate: 0.5 }),
    });
    assert.equal(set.status, 200);
    const bad = await fetch(`${base}/devices/meter/faults`, { method: 'POST', body: '{"rate":1}' });
    assert.equal(bad.status, 400);
    assert.equal((await fetch(`${base}/devices/nope/faults`)).status, 404);
    const report = (await (await fetch(`${base}/faults`)).json()) as Record<string, { active: unknown }>;
    assert.deepEqual(report.meter?.active, { exceptionRate: 0.5 });
    child.stdin.write('clear meter\nfaults\n');
    assert.equal((await iterator.next()).value, 'ok');
    const faults = (await next()) as Record<string, { active: unknown }>;
    assert.deepEqual(faults.meter?.active, {});
    child.stdin.write('values huawei\n');
    const values = (await next()) as { ac_power_w: number; status: string };
    assert.ok(values.ac_power_w > 0, 'producing at the default simulated noon');
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0);
  });
});
