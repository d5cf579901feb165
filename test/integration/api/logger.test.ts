/**
 * GET/POST /api/logger on the real gateway (startGateway, fake device readers) on a ManualClock, its
 * log captured: the API's debug lines appear once its level is raised and stop when it reverts. The
 * `ble` part on a real egw-ble process (WebSocket transport, no adapter needed) sharing the data
 * directory: its debug lines appear and stop when it reverts on its own (system) clock.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigSchema } from '../../../server/src/config/schema.ts';
import { ManualClock } from '../../../server/src/core/clock.ts';
import { Scheduler } from '../../../server/src/engine/scheduler.ts';
import { silentLogger } from '../../../server/src/core/logger.ts';
import { startGateway, type RunningGateway } from '../../../server/src/gateway/start-gateway.ts';
import { createWifiManager } from '../../../server/src/wifi/create-wifi-manager.ts';
import { startEgwBle, type EgwBleProcess } from '../../fakes/egw-ble-process.ts';
import { FakeDeviceReader } from '../../fakes/fake-device-reader.ts';
import { captureLogger } from '../gateway/fake-device-gateway.ts';
import { clockDriver } from '../notifications/clock-driver.ts';

describe('run-time log levels', () => {
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
  const { stopWhileAdvancing } = clockDriver(clock);
  const { logger, lines } = captureLogger('info');
  let dir: string;
  let engine: Scheduler;
  let gw: RunningGateway;
  const call = async (method: string, path: string, body?: unknown, token: string | null = gw.apiToken) => {
    const headers: Record<string, string> = body ? { 'content-type': 'application/json' } : {};
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(`http://127.0.0.1:${gw.httpPort}${path}`, {
      method,
      headers,
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const apiDebugLines = () => lines.filter((l) => l.area === 'api' && l.level === 20);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'egw-logger-'));
    const config = ConfigSchema.parse({
      dataDir: join(dir, 'data'),
      http: { host: '127.0.0.1', port: 0 },
      devices: [{ id: 'd0', type: 'tcp', host: '127.0.0.1', profile: 'sunspec' }],
    });
    engine = new Scheduler({ clock, logger: silentLogger() });
    engine.start();
    gw = await startGateway(
      { config, clock, logger, engine },
      {
        openReader: (device) => new FakeDeviceReader(clock, { id: device.id }),
        createUplinks: () => Promise.resolve([]),
        wifi: createWifiManager({ clock }),
      },
    );
  });
  let ble: EgwBleProcess | undefined;
  after(async () => {
    await ble?.stop();
    await stopWhileAdvancing(async () => {
      await engine.stop(0);
      await gw.stop();
    });
    rmSync(dir, { recursive: true, force: true });
  });

  it('needs the token, shows the change in the log, reverts after the chosen time', async () => {
    assert.equal((await call('POST', '/api/logger', { part: 'api', level: 'debug' }, null)).status, 401);
    assert.equal((await call('GET', '/api/logger', undefined, null)).status, 401);
    const bad = await call('POST', '/api/logger', { level: 'debug' });
    assert.equal(bad.status, 400);
    assert.equal((bad.json.error as { field: string }).field, 'part');

    await call('GET', '/api/nothing-here');
    assert.equal(apiDebugLines().length, 0, 'at info the API logs no 404');

    const set = await call('POST', '/api/logger', { part: 'api', level: 'debug', durationMs: 60_000 });
    assert.equal(set.status, 200);
    assert.equal(set.json.configured, 'info');
    assert.deepEqual(set.json.overrides, [{ area: 'api', level: 'debug', until: clock.nowMs() + 60_000 }]);
    await call('GET', '/api/nothing-here');
    assert.equal(apiDebugLines().length, 1, 'the 404 is logged at debug now');
    assert.equal(apiDebugLines()[0]?.path, '/api/nothing-here');

    await clock.advance(60_000);
    assert.deepEqual((await call('GET', '/api/logger')).json.overrides, []);
    await call('GET', '/api/nothing-here');
    assert.equal(apiDebugLines().length, 1, 'reverted: no new debug line');

    await call('POST', '/api/logger', { device: 'd0', level: 'trace' });
    const [override] = (await call('GET', '/api/logger')).json.overrides as { until: number }[];
    assert.equal(override?.until, clock.nowMs() + 30 * 60_000, 'default: 30 minutes');
    await call('POST', '/api/logger', { device: 'd0', level: 'default' });
    assert.deepEqual((await call('GET', '/api/logger')).json.overrides, []);
  });

  it('the ble part reaches egw-ble: 503 while it does not run, then set, shown and reverted on its clock', async () => {
    const off = await call('POST', '/api/logger', { part: 'ble', level: 'debug' });
    assert.equal(off.status, 503);
    assert.deepEqual(off.json.error, {
      code: 'ble_not_running',
      field: 'part',
      message: (off.json.error as { message: string }).message,
    });
    assert.match((off.json.error as { message: string }).message, /part "ble".*egw-ble.*not running/);
    assert.deepEqual((await call('GET', '/api/logger')).json.ble, { running: false });
    const withDevice = await call('POST', '/api/logger', { part: 'ble', device: 'd0', level: 'debug' });
    assert.equal((withDevice.json.error as { field: string }).field, 'device');

    ble = await startEgwBle({
      dataDir: join(dir, 'data'),
      gatewayUrl: `http://127.0.0.1:${gw.httpPort}`,
      args: ['--transport', 'ws', '--port', '0', '--window-minutes', '0', '--no-unprovisioned-window'],
      env: { EGW_LOG_LEVEL: 'info' },
    });
    const output = () => ble?.output() ?? '';
    const logLines = () =>
      output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { level: number; msg: string; url?: string; to?: string });
    const debugLines = () => logLines().filter((l) => l.level === 20 && l.url === '/logger');
    const until = async (what: string, holds: () => boolean | Promise<boolean>) => {
      for (let i = 0; i < 200 && !(await holds()); i++) await sleep(50);
      assert.ok(await holds(), `${what}; egw-ble said: ${output()}`);
    };
    assert.deepEqual((await call('GET', '/api/logger')).json.ble, { running: true, configured: 'info' });
    assert.equal(debugLines().length, 0, 'at info egw-ble logs no control request');

    const before = Date.now();
    const set = await call('POST', '/api/logger', { part: 'ble', level: 'debug', durationMs: 1000 });
    assert.equal(set.status, 200);
    const overrides = set.json.overrides as { area: string; level: string; until: number }[];
    assert.deepEqual(
      overrides.map((o) => [o.area, o.level]),
      [['ble', 'debug']],
    );
    const until0 = overrides[0]!.until;
    assert.ok(until0 >= before + 1000 && until0 <= Date.now() + 1000, 'until is on egw-ble’s (system) clock');
    await call('GET', '/api/logger');
    await until('egw-ble logs its control requests at debug', () => debugLines().length > 0);

    await until(
      'reverted by egw-ble after 1 s',
      async () => ((await call('GET', '/api/logger')).json.overrides as unknown[]).length === 0,
    );
    const debugBefore = debugLines().length;
    await call('GET', '/api/logger');
    assert.equal((await call('POST', '/api/logger', { part: 'ble', level: 'default' })).status, 200);
    await until('the reset is logged', () => logLines().some((l) => l.to === 'default'));
    assert.equal(debugLines().length, debugBefore, 'reverted: no control request logged at debug');
  });
});
