import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateDeviceKey, type DeviceKey } from '../../../server/src/identity/device-key.ts';
import { createBatch } from '../../../server/src/identity/batch-jwt.ts';
import { startIngestServer, type IngestServerOptions } from '../../../server/src/ingest/ingest-server.ts';
import type { IngestStats } from '../../../server/src/ingest/ingest-store.ts';

let dir: string;
let key: DeviceKey;
let other: DeviceKey;

const jwt = (k: DeviceKey, seq: number): string =>
  createBatch(
    k,
    { model: 'sunspec', harvests: [{ device: 'inv1', profile: 'sunspec', ts: 1000 * seq, read_ms: 3 }] },
    seq,
  ).jwt;

async function post(
  url: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    body,
    headers: { 'Content-Type': 'application/jwt', ...headers },
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function withServer(options: IngestServerOptions, fn: (url: string) => Promise<void>): Promise<void> {
  const server = await startIngestServer(options);
  try {
    await fn(server.url);
  } finally {
    await server.stop();
  }
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'egw-ingest-'));
  key = loadOrCreateDeviceKey(join(dir, 'a'));
  other = loadOrCreateDeviceKey(join(dir, 'b'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('ingest receiver', () => {
  it('stores a batch once, answers a repeat 200 and reports gaps and last seq', async () => {
    await withServer({ keys: { kind: 'fixed', publicKeyHex: key.publicKeyHex } }, async (url) => {
      for (const seq of [1, 2, 2, 5]) {
        const res = await post(url, jwt(key, seq), { 'Idempotency-Key': `${key.serial}-${seq}` });
        assert.equal(res.status, 200);
      }
      const stats = (await (await fetch(`${url}stats`)).json()) as IngestStats;
      assert.equal(stats.received, 4);
      assert.equal(stats.stored, 3);
      assert.equal(stats.duplicates, 1);
      assert.deepEqual(stats.serials[key.serial]?.gaps, [{ from: 3, to: 4 }]);
      assert.equal(stats.serials[key.serial]?.lastSeq, 5);
    });
  });

  it('rejects a wrong signature (401), an unknown gateway (403), a wrong key header (400) and media type (415)', async () => {
    await withServer({ keys: { kind: 'fixed', publicKeyHex: key.publicKeyHex } }, async (url) => {
      const good = jwt(key, 1);
      const forged = `${good.split('.').slice(0, 2).join('.')}.${jwt(key, 2).split('.')[2]}`;
      assert.equal((await post(url, forged)).status, 401);
      assert.equal((await post(url, jwt(other, 1))).status, 403);
      assert.equal((await post(url, good, { 'Idempotency-Key': `${key.serial}-9` })).status, 400);
      assert.equal((await post(url, good, { 'Content-Type': 'text/plain' })).status, 415);
      assert.equal((await post(url, 'not a jwt')).status, 400);
    });
  });

  it('trusts on first use only a key that hashes to the serial in the header', async () => {
    await withServer({}, async (url) => {
      assert.equal((await post(url, jwt(key, 1))).status, 200);
      assert.equal((await post(url, jwt(other, 1))).status, 200, 'a second gateway gets its own pinned key');
      // A batch claiming key's serial but signed by other: the recovered key does not match the pin.
      const header = Buffer.from(
        JSON.stringify({
          alg: 'ES256K',
          typ: 'JWT',
          device: key.serial,
          opr: 'production',
          model: 'x',
          seq: 2,
        }),
      ).toString('base64url');
      const claim = other.signJwt(
        JSON.parse(Buffer.from(header, 'base64url').toString()) as Record<string, unknown>,
        {},
      );
      assert.equal((await post(url, claim)).status, 401);
    });
  });

  it('fetches the key from the gateway’s /api/crypto', async () => {
    const gateway = http.createServer((req, res) => {
      res.writeHead(req.url === '/api/crypto' ? 200 : 404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ serial: key.serial, publicKey: key.publicKeyHex, alg: 'ES256K' }));
    });
    await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r));
    const gatewayUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
    try {
      await withServer({ keys: { kind: 'gateway', url: gatewayUrl } }, async (url) => {
        assert.equal((await post(url, jwt(key, 1))).status, 200);
        assert.equal((await post(url, jwt(other, 1))).status, 403);
      });
    } finally {
      await new Promise((r) => gateway.close(r));
    }
  });

  it('writes JSON lines and still recognises repeats after a restart', async () => {
    const outFile = join(dir, 'batches.jsonl');
    await withServer({ outFile }, async (url) => {
      assert.equal((await post(url, jwt(key, 1))).status, 200);
    });
    await withServer({ outFile }, async (url) => {
      assert.deepEqual((await post(url, jwt(key, 1))).json.duplicate, true);
      assert.equal((await post(url, jwt(key, 2))).status, 200);
    });
    const lines = readFileSync(outFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { seq: number; key: string });
    assert.deepEqual(
      lines.map((l) => l.seq),
      [1, 2],
    );
    assert.equal(lines[0]?.key, `${key.serial}-1`);
  });
});
