/**
 * Settings changed through the API can never brick the gateway: they are validated by the config
 * schema (an ftp:// ingest URL is refused, naming the field), stored settings that do not validate
 * are ignored at start with a warning and shown in /api/stats, and `egw settings reset` removes them.
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SystemClock } from '../../../server/src/core/clock.ts';
import { silentLogger } from '../../../server/src/core/logger.ts';
import { createUplinks } from '../../../server/src/uplink/create-uplinks.ts';
import { egw } from '../devices/egw-cli.ts';
import { captureLogger, startFakeDeviceGateway } from './fake-device-gateway.ts';

let dir: string;
before(() => void (dir = mkdtempSync(join(tmpdir(), 'egw-settings-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

const dataDir = (): string => join(dir, 'data');
const productionUplinks =
  (clock = new SystemClock()) =>
  (
    settings: Parameters<typeof createUplinks>[0],
    deps: { serial: string; bus: Parameters<typeof createUplinks>[1]['bus'] },
  ) =>
    createUplinks(settings, { ...deps, clock, logger: silentLogger() });

async function call(port: number, token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  // The answers are checked field by field below; typing each envelope adds nothing.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

function storeOverlay(overlay: unknown): void {
  const db = new Database(join(dataDir(), 'egw.db'));
  db.prepare(
    "INSERT INTO settings (key, value) VALUES ('settings.api', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
  ).run(JSON.stringify(overlay));
  db.close();
}

it('refuses an ingest URL of a scheme no uplink speaks, naming the field, and stores nothing', async () => {
  const running = await startFakeDeviceGateway({
    config: { dataDir: dataDir() },
    createUplinks: productionUplinks(),
  });
  try {
    const { httpPort, apiToken } = running.gateway;
    const refused = await call(httpPort!, apiToken, 'POST', '/api/settings', { ingest: { url: 'ftp://x' } });
    assert.equal(refused.status, 400);
    assert.equal(refused.json.error.field, 'ingest.url');
    const mqtt = await call(httpPort!, apiToken, 'POST', '/api/settings', { mqtt: { url: 'htp:/broker' } });
    assert.equal(mqtt.status, 400);
    assert.equal(mqtt.json.error.field, 'mqtt.url');
    const settings = await call(httpPort!, apiToken, 'GET', '/api/settings');
    assert.equal(settings.json.ingest.url, undefined);
  } finally {
    await running.stop();
  }
});

it('starts on the config file when the stored settings do not validate, with a warning and in /api/stats', async () => {
  storeOverlay({ ingest: { url: 'ftp://x' }, harvest: { batchSize: 5 } });
  const { logger, lines } = captureLogger('warn');
  const running = await startFakeDeviceGateway({
    config: { dataDir: dataDir() },
    createUplinks: productionUplinks(),
    logger,
  });
  try {
    const { httpPort, apiToken } = running.gateway;
    const stats = await call(httpPort!, apiToken, 'GET', '/api/stats');
    assert.match(String(stats.json.settings.ignoredStored), /ingest\.url/);
    const settings = await call(httpPort!, apiToken, 'GET', '/api/settings');
    assert.equal(settings.json.harvest.batchSize, 10, 'the whole stored overlay is set aside');
    const notes = await call(httpPort!, apiToken, 'GET', '/api/notifications');
    const ignored = (notes.json.active as { code: string; message: string }[]).find(
      (n) => n.code === 'settings_ignored',
    );
    assert.match(ignored?.message ?? '', /egw settings reset/);
    assert.ok(
      lines.some((l) => /ignoring the settings stored through the API/.test(String(l.msg)) && l.remedy),
      'a warning naming the remedy',
    );
  } finally {
    await running.stop();
  }
});

it('egw settings show masks secrets; egw settings reset removes the stored settings', async () => {
  storeOverlay({ mqtt: { url: 'mqtt://u:secret@broker:1883', password: 'hunter2' } });
  const settings = (...args: string[]) => egw(['settings', ...args], { EGW_DATA_DIR: dataDir() });
  const shown = await settings('show');
  assert.equal(shown.code, 0, shown.stderr);
  assert.doesNotMatch(shown.stdout, /secret|hunter2/);
  assert.match(shown.stdout, /mqtt:\/\/u:\*\*\*@broker/);
  const reset = await settings('reset');
  assert.equal(reset.code, 0, reset.stderr);
  assert.match(reset.stdout, /removed the settings stored through the API/);
  assert.equal((await settings('show')).stdout.trim(), '{}');
  assert.equal((await settings('bogus')).code, 2);
});
