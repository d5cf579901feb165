import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../server/src/config/load-config.ts';
import { ConfigError } from '../../../server/src/core/errors.ts';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'egw-config-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('no ConfigError thrown');
}

describe('loadConfig', () => {
  it('returns the schema defaults with no file and no environment', () => {
    const config = loadConfig({ env: {} });
    assert.equal(config.dataDir, './.egw');
    assert.equal(config.http.port, 5000);
    assert.equal(config.harvest.intervalMs, 1000);
    assert.deepEqual(config.devices, []);
    assert.equal(config.mqtt.homeAssistant, false);
  });

  it('layers defaults < config file < environment', () => {
    const path = file('layers.json', {
      http: { port: 8080, host: '127.0.0.1' },
      ingest: { url: 'https://ingest.example/gw/data/' },
      devices: [{ id: 'inv1', type: 'tcp', host: '192.168.1.50', profile: 'huawei' }],
    });
    const config = loadConfig({
      file: path,
      env: { EGW_HTTP_PORT: '9090', EGW_MQTT_URL: 'mqtt://127.0.0.1:1883' },
    });
    assert.equal(config.http.port, 9090, 'environment beats file');
    assert.equal(config.http.host, '127.0.0.1', 'file beats default');
    assert.equal(config.http.bodyLimitBytes, 65_536, 'default fills the rest of the object');
    assert.equal(config.ingest.url, 'https://ingest.example/gw/data/');
    assert.equal(config.mqtt.url, 'mqtt://127.0.0.1:1883');
    const device = config.devices[0]!;
    assert.equal(device.type === 'tcp' && device.port, undefined, "left to the profile's default");
  });

  it('coerces numbers, booleans and JSON from environment strings', () => {
    const config = loadConfig({
      env: {
        EGW_DATA_DIR: '/tmp/egw-x',
        EGW_HARVEST_INTERVAL_MS: '2500',
        EGW_HARVEST_FREQUENCY_HZ: '2.5',
        EGW_MQTT_HOME_ASSISTANT: 'yes',
        EGW_LOG_PRETTY: 'false',
        EGW_HTTP_CORS_ORIGINS: '["http://a.example"]',
        EGW_DEVICES: '[{"id":"meter1","type":"rtu","path":"/dev/ttyUSB0","unit":2,"profile":"sdm630"}]',
      },
    });
    assert.equal(config.dataDir, '/tmp/egw-x');
    assert.equal(config.harvest.intervalMs, 2500);
    assert.equal(config.harvest.frequencyHz, 2.5);
    assert.equal(config.mqtt.homeAssistant, true);
    assert.equal(config.log.pretty, false);
    assert.deepEqual(config.http.corsOrigins, ['http://a.example']);
    assert.equal(config.devices[0]!.type, 'rtu');
  });

  it('names the key, the rule, the value and the variable for a bad environment value', () => {
    const error = configError(() => loadConfig({ env: { EGW_HTTP_PORT: 'abc' } }));
    assert.equal(
      error.message,
      'http.port: expected an integer from 0 to 65535, got "abc" (from EGW_HTTP_PORT)',
    );
    assert.equal(error.where.key, 'http.port');
    assert.equal(error.code, 'config_invalid');
  });

  it('names the file for a bad file value', () => {
    const path = file('bad.json', { harvest: { intervalMs: 5 } });
    const error = configError(() => loadConfig({ file: path, env: {} }));
    assert.equal(
      error.message,
      `harvest.intervalMs: expected an integer from 100 to 3600000, got 5 (from config file ${path})`,
    );
  });

  it('explains enums, booleans and URLs', () => {
    assert.match(
      configError(() => loadConfig({ env: { EGW_LOG_LEVEL: 'loud' } })).message,
      /^log\.level: expected one of fatal, error, warn, info, debug, trace, silent, got "loud"/,
    );
    assert.match(
      configError(() => loadConfig({ env: { EGW_MQTT_HOME_ASSISTANT: 'maybe' } })).message,
      /^mqtt\.homeAssistant: expected true or false, got "maybe"/,
    );
    assert.match(
      configError(() => loadConfig({ env: { EGW_INGEST_URL: 'not a url' } })).message,
      /^ingest\.url: expected a URL, got "not a url" \(from EGW_INGEST_URL\)/,
    );
  });

  it('points into arrays for a bad device', () => {
    const error = configError(() =>
      loadConfig({
        env: { EGW_DEVICES: '[{"id":"inv1","type":"tcp","host":"h","port":70000,"profile":"x"}]' },
      }),
    );
    assert.match(error.message, /^devices\[0\]\.port: .*65535.*got 70000 \(from EGW_DEVICES\)/);
    assert.equal(error.where.key, 'devices[0].port');
  });

  it('refuses two devices with one id, naming the id, in a file and in EGW_DEVICES', () => {
    const devices = [
      { id: 'inv1', type: 'tcp', host: '10.0.0.1', profile: 'sunspec' },
      { id: 'inv1', type: 'tcp', host: '10.0.0.2', profile: 'sunspec' },
    ];
    const fromFile = configError(() => loadConfig({ file: file('dup.json', { devices }), env: {} }));
    assert.match(
      fromFile.message,
      /^devices\[1\]\.id: device id "inv1" is used twice \(devices\[0\] and devices\[1\]\)/,
    );
    assert.equal(fromFile.where.key, 'devices[1].id');
    const fromEnv = configError(() => loadConfig({ env: { EGW_DEVICES: JSON.stringify(devices) } }));
    assert.match(fromEnv.message, /device id "inv1" is used twice.*\(from EGW_DEVICES\)/);
  });

  it('refuses malformed JSON in a variable or a file, and unknown file keys', () => {
    assert.match(
      configError(() => loadConfig({ env: { EGW_DEVICES: '[oops' } })).message,
      /^devices: expected JSON/,
    );
    const broken = file('broken.json', '{"http": ');
    assert.match(
      configError(() => loadConfig({ file: broken, env: {} })).message,
      /broken\.json: not valid JSON/,
    );
    const typo = file('typo.json', { http: { prot: 80 } });
    const error = configError(() => loadConfig({ file: typo, env: {} }));
    assert.match(error.message, /unknown key "http\.prot"/);
    assert.equal(error.where.key, 'http.prot');
    assert.match(
      configError(() => loadConfig({ file: join(dir, 'missing.json'), env: {} })).message,
      /ENOENT/,
    );
  });

  it('ignores empty variables and EGW_* names that are not config keys', () => {
    const config = loadConfig({
      env: { EGW_HTTP_PORT: '', EGW_API_TOKEN: 'x'.repeat(20), EGW_SOMETHING: '1' },
    });
    assert.equal(config.http.port, 5000);
  });
});
