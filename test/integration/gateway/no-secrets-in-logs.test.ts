import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type RunningSimulator } from '../../../modbus_slave/src/simulator.ts';
import { DEVICE_KEY_FILE } from '../../../server/src/identity/device-key.ts';
import { freePort, waitFor } from '../../e2e/pipeline-harness.ts';

// The gateway at its most talkative (trace) is given every kind of secret — credentials in the uplink
// URLs, an MQTT password, a Wi-Fi passphrase in a request, a wrong token — and none may reach its log.
const ROOT = join(import.meta.dirname, '..', '..', '..');
const MQTT_PASSWORD = 'mqtt-password-7f3a9c';
const MQTT_URL_PASSWORD = 'url-password-51d2e8';
const INGEST_URL_PASSWORD = 'ingest-password-c04b77';
const WIFI_PASSPHRASE = 'wifi-passphrase-9e1f20';
const WRONG_TOKEN = 'wrong-token-3b8d41aa55e0';

describe('gateway logs', () => {
  let dir = '';
  let sim: RunningSimulator | undefined;
  let gateway: ChildProcess | undefined;
  let log = '';
  let base = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'egw-secrets-'));
    sim = await startSimulator({ devices: [{ profile: 'sunspec', port: 0, id: 'inv' }], seed: 7 });
    const device = sim.devices[0]!;
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const configFile = join(dir, 'config.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        dataDir: join(dir, 'data'),
        http: { host: '127.0.0.1', port },
        devices: [
          {
            id: 'inv',
            type: 'tcp',
            host: device.host,
            port: device.port,
            unit: device.unit,
            profile: 'sunspec',
          },
        ],
        // Nothing listens on port 1: both uplinks fail and retry, and log about it.
        ingest: { url: `http://ingest-user:${INGEST_URL_PASSWORD}@127.0.0.1:1/data` },
        mqtt: {
          url: `mqtt://mqtt-user:${MQTT_URL_PASSWORD}@127.0.0.1:1`,
          username: 'u',
          password: MQTT_PASSWORD,
        },
        harvest: { batchSize: 1 },
      }),
    );
    gateway = spawn(process.execPath, ['server/src/cli/main.ts', 'run', '--config', configFile], {
      cwd: ROOT,
      env: { ...process.env, EGW_LOG_LEVEL: 'trace' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    gateway.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    gateway.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    await waitFor('the gateway API', 30_000, async () =>
      (await fetch(`${base}/api/hello`)).ok ? true : undefined,
    );
  });

  after(async () => {
    if (gateway && gateway.exitCode === null) {
      const exited = new Promise((resolve) => gateway!.once('exit', resolve));
      gateway.kill('SIGKILL');
      await exited;
    }
    await sim?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('carry no token, key, password or passphrase, even at trace level', async () => {
    const token = readFileSync(join(dir, 'data', 'api-token'), 'utf8').trim();
    const post = (path: string, body: unknown, bearer: string): Promise<Response> =>
      fetch(base + path, {
        method: 'POST',
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    assert.equal(
      (await post('/api/wifi', { ssid: 'home', passphrase: WIFI_PASSPHRASE }, WRONG_TOKEN)).status,
      401,
    );
    const wifi = await post('/api/wifi', { ssid: 'home', passphrase: WIFI_PASSPHRASE }, token);
    assert.ok([200, 404, 501, 502].includes(wifi.status), `wifi answered ${wifi.status}`);
    assert.equal(
      (await post('/api/settings', { mqtt: { password: `${MQTT_PASSWORD}-2` } }, token)).status,
      200,
    );
    // Let harvests be batched and the failing uplinks retry (and log) for a while.
    await waitFor('a signed batch', 20_000, async () => {
      const res = await fetch(`${base}/api/harvests?limit=1`);
      const body = (await res.json()) as { batches?: unknown[] } | unknown[];
      const list = Array.isArray(body) ? body : (body.batches ?? []);
      return list.length > 0 ? true : undefined;
    });
    const exited = new Promise<number | null>((resolve) => gateway!.once('exit', (code) => resolve(code)));
    gateway!.kill('SIGTERM');
    assert.equal(await exited, 0);

    const privateKeyHex = readFileSync(join(dir, 'data', DEVICE_KEY_FILE), 'utf8').trim();
    assert.ok(log.includes('egw ready'), 'the log was captured at all');
    assert.ok(log.split('\n').length > 20, 'trace logging produced lines');
    for (const [what, secret] of Object.entries({
      'API token': token,
      'wrong token': WRONG_TOKEN,
      'device key': privateKeyHex,
      'MQTT password': MQTT_PASSWORD,
      'MQTT URL password': MQTT_URL_PASSWORD,
      'ingest URL password': INGEST_URL_PASSWORD,
      'Wi-Fi passphrase': WIFI_PASSPHRASE,
    })) {
      assert.ok(!log.includes(secret), `${what} appears in the log`);
    }
  });
});
