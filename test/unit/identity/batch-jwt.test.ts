import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateDeviceKey, type DeviceKey } from '../../../server/src/identity/device-key.ts';
import { createBatch } from '../../../server/src/identity/batch-jwt.ts';
import { signWalletBinding } from '../../../server/src/identity/wallet-binding.ts';
import { decodeJwt } from '../../../server/src/identity/jwt.ts';
import { ValidationError } from '../../../server/src/core/errors.ts';
import type { Reading } from '../../../server/src/core/reading.ts';

const reading = (ts: number): Reading => ({
  device: 'inv1',
  profile: 'sunspec',
  ts,
  read_ms: 12,
  ac_power_w: 1500 + (ts % 7),
});

function verifies(jwt: string, pem: string): boolean {
  const [h, p, s] = jwt.split('.') as [string, string, string];
  return verify(
    'sha256',
    Buffer.from(`${h}.${p}`),
    { key: pem, dsaEncoding: 'ieee-p1363' },
    Buffer.from(s, 'base64url'),
  );
}

describe('batch JWT', () => {
  let dir: string;
  let key: DeviceKey;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'egw-batch-'));
    key = loadOrCreateDeviceKey(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('has exactly the header of DESIGN.md, in order', () => {
    const batch = createBatch(key, { model: 'huawei', harvests: [reading(1000), reading(2000)] }, 7);
    const headerJson = Buffer.from(batch.jwt.split('.')[0]!, 'base64url').toString();
    assert.equal(
      headerJson,
      `{"alg":"ES256K","typ":"JWT","device":"${key.serial}","opr":"production","model":"huawei","seq":7}`,
    );
  });

  it('keys the payload by harvest timestamp (ms as string), oldest first', () => {
    const batch = createBatch(key, { model: 'sunspec', harvests: [reading(3000), reading(1000)] }, 1);
    const payload = decodeJwt(batch.jwt).payload as Record<string, Reading>;
    assert.deepEqual(Object.keys(payload), ['1000', '3000']);
    assert.equal(payload['3000']?.ac_power_w, reading(3000).ac_power_w);
    assert.deepEqual(payload, batch.payload);
  });

  it('verifies with node:crypto', () => {
    const batch = createBatch(key, { model: 'sunspec', harvests: [reading(5)] }, 2);
    assert.ok(verifies(batch.jwt, key.publicKeyPem));
  });

  it('rejects duplicate timestamps, empty batches and bad seq', () => {
    assert.throws(
      () => createBatch(key, { model: 's', harvests: [reading(1), reading(1)] }, 1),
      ValidationError,
    );
    assert.throws(() => createBatch(key, { model: 's', harvests: [] }, 1), ValidationError);
    assert.throws(() => createBatch(key, { model: 's', harvests: [reading(1)] }, 0), ValidationError);
    assert.throws(() => createBatch(key, { model: 's', harvests: [reading(1)] }, 1.5), ValidationError);
  });
});

describe('wallet binding', () => {
  let dir: string;
  let key: DeviceKey;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'egw-wallet-'));
    key = loadOrCreateDeviceKey(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('signs a fixed-format binding that node:crypto verifies', () => {
    const wallet = '0xAbCdEf0123456789abcdef0123456789ABCDEF01';
    const jwt = signWalletBinding(key, { wallet, ts: 1_767_225_600_000 });
    assert.ok(verifies(jwt, key.publicKeyPem));
    const decoded = decodeJwt(jwt);
    assert.deepEqual(decoded.header, { alg: 'ES256K', typ: 'JWT', device: key.serial, opr: 'initialize' });
    assert.deepEqual(decoded.payload, {
      wallet: wallet.toLowerCase(),
      serial: key.serial,
      publicKey: key.publicKeyHex,
      ts: 1_767_225_600_000,
    });
  });

  it('rejects addresses that are not 0x + 40 hex, naming the field', () => {
    for (const wallet of [
      '0x123',
      'AbCdEf0123456789abcdef0123456789ABCDEF0100',
      '0xZZCdEf0123456789abcdef0123456789ABCDEF01',
    ]) {
      assert.throws(
        () => signWalletBinding(key, { wallet, ts: 1 }),
        (e: unknown) => e instanceof ValidationError && e.where.field === 'wallet',
      );
    }
    assert.throws(() => signWalletBinding(key, { wallet: `0x${'a'.repeat(40)}`, ts: -1 }), ValidationError);
  });
});
