import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, verify, generateKeyPairSync, createPublicKey } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateDeviceKey, DEVICE_KEY_FILE } from '../../../server/src/identity/device-key.ts';
import { decodeJwt, verifyEs256k } from '../../../server/src/identity/jwt.ts';
import { publicKeyInfo } from '../../../server/src/identity/public-key.ts';
import { ConfigError } from '../../../server/src/core/errors.ts';

const N = BigInt('0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141');

describe('device key', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'egw-key-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the key file with mode 0600 and no temp file left behind', () => {
    const key = loadOrCreateDeviceKey(dir);
    assert.equal(statSync(join(dir, DEVICE_KEY_FILE)).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dir), [DEVICE_KEY_FILE]);
    assert.match(key.serial, /^EGW-[0-9A-F]{12}$/);
    assert.match(key.publicKeyHex, /^0[23][0-9a-f]{64}$/);
  });

  it('loads the same identity on the next start', () => {
    const a = loadOrCreateDeviceKey(dir);
    const b = loadOrCreateDeviceKey(dir);
    assert.equal(a.serial, b.serial);
    assert.equal(a.publicKeyPem, b.publicKeyPem);
  });

  it('derives the serial from SHA-256 of the compressed public key', () => {
    const key = loadOrCreateDeviceKey(dir);
    const digest = createHash('sha256').update(Buffer.from(key.publicKeyHex, 'hex')).digest('hex');
    assert.equal(key.serial, `EGW-${digest.slice(0, 12).toUpperCase()}`);
  });

  it('exposes PEM and JWK that node:crypto reads as the same key', () => {
    const key = loadOrCreateDeviceKey(dir);
    const fromPem = createPublicKey(key.publicKeyPem).export({ format: 'jwk' });
    assert.deepEqual(fromPem, key.jwk);
    assert.equal(createPublicKey(key.publicKeyPem).asymmetricKeyDetails?.namedCurve, 'secp256k1');
  });

  it('restricts a key file readable by others to 0600', () => {
    const d = mkdtempSync(join(tmpdir(), 'egw-key-'));
    try {
      writeFileSync(join(d, DEVICE_KEY_FILE), `${'11'.repeat(32)}\n`, { mode: 0o644 });
      loadOrCreateDeviceKey(d);
      assert.equal(statSync(join(d, DEVICE_KEY_FILE)).mode & 0o777, 0o600);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('refuses a corrupt key file instead of replacing the identity', () => {
    const d = mkdtempSync(join(tmpdir(), 'egw-key-'));
    try {
      writeFileSync(join(d, DEVICE_KEY_FILE), 'garbage', { mode: 0o600 });
      assert.throws(() => loadOrCreateDeviceKey(d), ConfigError);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('signs JWTs that node:crypto verifies (ieee-p1363), low-S and deterministic', () => {
    const key = loadOrCreateDeviceKey(dir);
    for (let i = 0; i < 50; i++) {
      const jwt = key.signJwt({ alg: 'ES256K', typ: 'JWT', i }, { n: i, text: 'é€' });
      const [h, p, s] = jwt.split('.') as [string, string, string];
      const sig = Buffer.from(s, 'base64url');
      assert.equal(sig.length, 64);
      assert.ok(
        verify('sha256', Buffer.from(`${h}.${p}`), { key: key.publicKeyPem, dsaEncoding: 'ieee-p1363' }, sig),
      );
      const sValue = BigInt(`0x${sig.subarray(32).toString('hex')}`);
      assert.ok(sValue <= N / 2n, 'low-S');
      assert.equal(key.signJwt({ alg: 'ES256K', typ: 'JWT', i }, { n: i, text: 'é€' }), jwt);
    }
  });

  it('rejects a tampered payload and a foreign key', () => {
    const key = loadOrCreateDeviceKey(dir);
    const jwt = key.signJwt({ alg: 'ES256K', typ: 'JWT' }, { a: 1 });
    const decoded = decodeJwt(jwt);
    assert.ok(verifyEs256k(decoded, publicKeyInfo(key.publicKeyHex).keyObject));
    const tampered = decodeJwt(
      `${jwt.split('.')[0]}.${Buffer.from('{"a":2}').toString('base64url')}.${jwt.split('.')[2]}`,
    );
    assert.equal(verifyEs256k(tampered, publicKeyInfo(key.publicKeyHex).keyObject), false);
    const other = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey;
    assert.equal(verifyEs256k(decoded, other), false);
  });

  it('never serializes the secret', () => {
    const key = loadOrCreateDeviceKey(dir);
    assert.deepEqual(Object.keys(JSON.parse(JSON.stringify(key))).sort(), ['publicKeyHex', 'serial']);
  });
});
