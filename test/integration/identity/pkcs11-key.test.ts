/**
 * The hardware-backed device key on SoftHSM2: the wired gateway signs batches ES256 with a token key,
 * /api/crypto says so, node:crypto verifies them, the reference ingest receiver accepts them, and the
 * private key cannot be read off the token.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createPublicKey, verify } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalGateway, type LocalGateway } from '../../../server/src/demo/start-local-gateway.ts';
import { startIngestServer, type IngestServer } from '../../../server/src/ingest/ingest-server.ts';
import { decodeJwt } from '../../../server/src/identity/jwt.ts';
import { freePort } from '../egw-process.ts';

const MODULE = ['/usr/lib/softhsm/libsofthsm2.so', '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so'].find(
  (path) => existsSync(path),
);
let pkcs11Installed = true;
try {
  await import('pkcs11js');
} catch {
  pkcs11Installed = false;
}
const skip: string | false = !MODULE
  ? 'softhsm2 module not installed (apt-get install softhsm2)'
  : !pkcs11Installed
    ? 'optional dependency pkcs11js not built (needs a compiler at npm ci)'
    : false;

const dir = mkdtempSync(join(tmpdir(), 'egw-pkcs11-'));
const PIN = '246810';
let local: LocalGateway | undefined;
let ingest: IngestServer | undefined;

before(() => {
  if (skip) return;
  mkdirSync(join(dir, 'tokens'));
  writeFileSync(
    join(dir, 'softhsm2.conf'),
    `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\n`,
  );
  // SoftHSM reads its configuration from here (in this process and in softhsm2-util).
  process.env.SOFTHSM2_CONF = join(dir, 'softhsm2.conf');
  execFileSync(
    'softhsm2-util',
    ['--init-token', '--free', '--label', 'egw', '--pin', PIN, '--so-pin', '13579'],
    {
      stdio: 'ignore',
    },
  );
  writeFileSync(join(dir, 'pin'), `${PIN}\n`, { mode: 0o600 });
});

after(async () => {
  await local?.stop();
  await ingest?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test(
  'the gateway signs ES256 batches with a token key that node:crypto and the ingest receiver verify',
  { skip, timeout: 60_000 },
  async () => {
    const ingestPort = await freePort();
    local = await startLocalGateway({
      devices: [{ profile: 'sdm630', id: 'meter' }],
      config: {
        harvest: { batchSize: 2 },
        ingest: { url: `http://127.0.0.1:${ingestPort}/` },
        signing: {
          backend: 'pkcs11',
          pkcs11: { module: MODULE!, tokenLabel: 'egw', pinFile: join(dir, 'pin'), keyLabel: 'device' },
        },
      },
    });
    const gw = local.gateway;
    const crypto = (await (await fetch(`http://127.0.0.1:${gw.httpPort}/api/crypto`)).json()) as {
      alg: string;
      publicKeyPem: string;
      jwk: { crv: string };
    };
    assert.equal(crypto.alg, 'ES256');
    assert.equal(crypto.jwk.crv, 'P-256');
    ingest = await startIngestServer({
      port: ingestPort,
      keys: { kind: 'gateway', url: `http://127.0.0.1:${gw.httpPort}` },
    });
    for (let i = 0; i < 150 && ingest.stats().stored < 2; i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(ingest.stats().stored >= 2, `the receiver stored batches: ${JSON.stringify(ingest.stats())}`);
    assert.equal(ingest.stats().rejected, 0);
    const [batch] = gw.outbox.recent(1);
    assert.ok(batch);
    const jwt = decodeJwt(batch.jwt);
    assert.equal(jwt.header.alg, 'ES256');
    const key = createPublicKey(crypto.publicKeyPem);
    assert.ok(
      verify('sha256', Buffer.from(jwt.signingInput), { key, dsaEncoding: 'ieee-p1363' }, jwt.signature),
    );
  },
);

test('the private key is not extractable from the token', { skip, timeout: 30_000 }, async () => {
  await local?.stop();
  local = undefined;
  const pkcs11js = (await import('pkcs11js')).default;
  const p = new pkcs11js.PKCS11();
  p.load(MODULE!);
  p.C_Initialize();
  try {
    const slot = p.C_GetSlotList(true).find((s) => p.C_GetTokenInfo(s).label.trim() === 'egw')!;
    const session = p.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
    p.C_Login(session, pkcs11js.CKU_USER, PIN);
    p.C_FindObjectsInit(session, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
      { type: pkcs11js.CKA_LABEL, value: 'device' },
    ]);
    const [privateKey] = p.C_FindObjects(session, 1);
    p.C_FindObjectsFinal(session);
    assert.ok(privateKey, 'the key pair lives on the token');
    const [extractable, sensitive] = p.C_GetAttributeValue(session, privateKey, [
      { type: pkcs11js.CKA_EXTRACTABLE },
      { type: pkcs11js.CKA_SENSITIVE },
    ]);
    assert.deepEqual([extractable?.value, sensitive?.value], [Buffer.from([0]), Buffer.from([1])]);
    assert.throws(
      () => p.C_GetAttributeValue(session, privateKey, [{ type: pkcs11js.CKA_VALUE }]),
      /SENSITIVE/,
    );
  } finally {
    p.C_Finalize();
  }
});
