/**
 * Nothing in the data directory is readable by other local users: the directory is tightened to 0700
 * at start (with a warning), egw.db and its WAL are 0600, and a password inside an uplink URL is
 * masked in GET /api/settings, the log and configuration errors.
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../server/src/config/load-config.ts';
import { fullReading } from '../../fixtures/prefill-outbox.ts';
import { captureLogger, startFakeDeviceGateway } from './fake-device-gateway.ts';

let dir: string;
before(() => void (dir = mkdtempSync(join(tmpdir(), 'egw-modes-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);

it('tightens a 0755 data directory, keeps egw.db and its WAL 0600 and masks URL passwords', async () => {
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { mode: 0o755 });
  const { logger, lines } = captureLogger('debug');
  const running = await startFakeDeviceGateway({ config: { dataDir }, logger });
  try {
    assert.equal(mode(dataDir), '700');
    assert.ok(lines.some((l) => l.level === 40 && /readable by other users/.test(String(l.msg))));
    running.gateway.outbox.append({ model: 'sunspec', harvests: [fullReading('d0', 1_767_225_600_000)] });
    assert.equal(mode(join(dataDir, 'egw.db')), '600');
    assert.equal(mode(join(dataDir, 'egw.db-wal')), '600');
    const { httpPort, apiToken } = running.gateway;
    const headers = { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' };
    const url = `http://127.0.0.1:${httpPort}/api/settings`;
    const posted = await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ ingest: { url: 'https://gw:s3cret@ingest.example/data' } }),
    });
    assert.equal(posted.status, 200);
    const shown = await (await fetch(url, { headers })).text();
    assert.doesNotMatch(shown, /s3cret/);
    assert.match(shown, /https:\/\/gw:\*\*\*@ingest\.example\/data/);
  } finally {
    await running.stop();
  }
  assert.doesNotMatch(JSON.stringify(lines), /s3cret/, 'no line of the log holds the password');
});

it('masks a URL password in a configuration error', () => {
  assert.throws(
    () => loadConfig({ env: { EGW_MQTT_URL: 'ftp://u:s3cret@broker' } }),
    (error: Error) => /mqtt\.url/.test(error.message) && !/s3cret/.test(error.message),
  );
});
