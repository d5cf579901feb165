import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  API_TOKEN,
  BLE_PIN,
  loadOrCreateApiToken,
  loadOrCreateBlePin,
  readSecret,
} from '../../../server/src/config/gateway-secrets.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'egw-token-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('loadOrCreateApiToken', () => {
  it('creates a 32-byte base64url token in a 0600 file and returns the same one later', () => {
    const token = loadOrCreateApiToken(dir, {});
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(token, 'base64url').length, 32);
    const path = join(dir, API_TOKEN.file);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(readFileSync(path, 'utf8'), token);
    assert.equal(loadOrCreateApiToken(dir, {}), token);
  });

  it('uses EGW_API_TOKEN instead of the file when set', () => {
    const override = 'a-long-enough-token-123';
    assert.equal(loadOrCreateApiToken(dir, { EGW_API_TOKEN: override }), override);
    assert.throws(
      () => loadOrCreateApiToken(dir, { EGW_API_TOKEN: 'short' }),
      /EGW_API_TOKEN: expected at least 16/,
    );
  });
});

describe('loadOrCreateBlePin', () => {
  it('creates a 6-digit PIN file with mode 0600 once and returns it again', () => {
    const pin = loadOrCreateBlePin(join(dir, 'new'), {});
    assert.match(pin, /^\d{6}$/);
    assert.equal(loadOrCreateBlePin(join(dir, 'new'), {}), pin);
    assert.equal(readFileSync(join(dir, 'new', BLE_PIN.file), 'utf8').trim(), pin);
    assert.equal(statSync(join(dir, 'new', BLE_PIN.file)).mode & 0o777, 0o600);
    assert.equal(loadOrCreateBlePin(dir, { EGW_BLE_PIN: '654321' }), '654321');
    assert.throws(
      () => loadOrCreateBlePin(dir, { EGW_BLE_PIN: '12ab' }),
      /EGW_BLE_PIN: expected exactly 6 digits/,
    );
  });

  it('refuses a PIN file that breaks the rule, naming the file', () => {
    writeFileSync(join(dir, BLE_PIN.file), '12345\n', { mode: 0o600 });
    assert.throws(
      () => loadOrCreateBlePin(dir, {}),
      (error: Error & { field?: string }) => {
        assert.match(error.message, /ble-pin: expected exactly 6 digits/);
        return true;
      },
    );
  });
});

describe('readSecret', () => {
  it('reads what the gateway created, never creates it, and prefers the variable', () => {
    assert.equal(readSecret(API_TOKEN, dir, {}), undefined);
    assert.throws(() => statSync(join(dir, API_TOKEN.file)), /ENOENT/);
    const token = loadOrCreateApiToken(dir, {});
    assert.equal(readSecret(API_TOKEN, dir, {}), token);
    assert.equal(
      readSecret(API_TOKEN, dir, { EGW_API_TOKEN: 'from-the-environment' }),
      'from-the-environment',
    );
  });

  it('tightens a secret file readable by others to 0600', () => {
    writeFileSync(join(dir, BLE_PIN.file), '123456\n');
    chmodSync(join(dir, BLE_PIN.file), 0o644);
    assert.equal(readSecret(BLE_PIN, dir, {}), '123456');
    assert.equal(statSync(join(dir, BLE_PIN.file)).mode & 0o777, 0o600);
  });
});
