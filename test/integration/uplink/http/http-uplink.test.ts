import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SystemClock } from '../../../../server/src/core/clock.ts';
import { loadOrCreateDeviceKey, type DeviceKey } from '../../../../server/src/identity/device-key.ts';
import { createBatch } from '../../../../server/src/identity/batch-jwt.ts';
import { Outbox } from '../../../../server/src/outbox/outbox.ts';
import { OutboxDispatcher } from '../../../../server/src/uplink/outbox-dispatcher.ts';
import { HttpUplink } from '../../../../server/src/uplink/http/http-uplink.ts';
import { startIngestServer, type IngestServer } from '../../../../server/src/ingest/ingest-server.ts';
import { IngestStore } from '../../../../server/src/ingest/ingest-store.ts';

const clock = new SystemClock();
let dir: string;
let key: DeviceKey;
let outbox: Outbox;
let receiver: IngestServer | undefined;
let dispatcher: OutboxDispatcher | undefined;
let ts = 1_767_225_600_000;

function append(n: number): void {
  for (let i = 0; i < n; i++) {
    const harvests = Array.from({ length: 3 }, () => ({
      device: 'inv1',
      profile: 'sunspec',
      ts: (ts += 1000),
      read_ms: 4,
      ac_power_w: 1234,
    }));
    outbox.append({ model: 'sunspec', harvests });
  }
}

async function until(what: string, predicate: () => boolean, timeoutMs = 15_000): Promise<void> {
  const start = performance.now();
  while (!predicate()) {
    if (performance.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function startPipeline(url: string, window = 8, timeoutMs = 2000): Promise<HttpUplink> {
  const uplink = new HttpUplink({ url, timeoutMs, clock, serial: key.serial, maxSockets: window });
  dispatcher = new OutboxDispatcher({
    outbox,
    uplinks: [uplink],
    clock,
    window,
    backoff: { initialMs: 20, maxMs: 200 },
  });
  await dispatcher.start();
  return uplink;
}

/** Every seq from 1 to n stored exactly once, each JWT verified by node:crypto. */
function assertComplete(server: IngestServer, n: number): void {
  const stats = server.stats().serials[key.serial]!;
  assert.equal(stats.stored, n);
  assert.equal(stats.firstSeq, 1);
  assert.equal(stats.lastSeq, n);
  assert.deepEqual(stats.gaps, []);
  const seqs = server.records().map((r) => r.seq);
  assert.equal(new Set(seqs).size, seqs.length, 'no batch stored twice');
  for (const record of server.records()) {
    const [h, p, s] = record.jwt.split('.') as [string, string, string];
    const ok = verify(
      'sha256',
      Buffer.from(`${h}.${p}`),
      { key: key.publicKeyPem, dsaEncoding: 'ieee-p1363' },
      Buffer.from(s, 'base64url'),
    );
    assert.ok(ok, `seq ${record.seq} verifies`);
  }
  assert.equal(outbox.stats().depth, 0, 'outbox drained');
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'egw-http-'));
  key = loadOrCreateDeviceKey(dir);
  outbox = Outbox.open(join(dir, 'egw.db'), { sign: (input, seq) => createBatch(key, input, seq), clock });
});

afterEach(async () => {
  await dispatcher?.stop();
  dispatcher = undefined;
  await receiver?.stop();
  receiver = undefined;
  outbox.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('HTTP uplink to the ingest receiver', () => {
  it('posts application/jwt with the idempotency key and keeps order with a window of 1', async () => {
    receiver = await startIngestServer({ keys: { kind: 'fixed', publicKeyHex: key.publicKeyHex } });
    append(20);
    await startPipeline(receiver.url, 1);
    await until('20 stored', () => receiver!.stats().stored === 20 && outbox.stats().depth === 0);
    assertComplete(receiver, 20);
    assert.deepEqual(
      receiver.records().map((r) => r.seq),
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    assert.equal(receiver.records()[0]?.key, `${key.serial}-1`);
  });

  it('survives the receiver being stopped and restarted: nothing lost, nothing stored twice', async () => {
    const store = new IngestStore();
    receiver = await startIngestServer({ store });
    const port = receiver.port;
    await startPipeline(receiver.url);
    append(10);
    await until('first 10', () => store.stats().stored === 10);
    await receiver.stop();
    append(30);
    await until('retrying', () => dispatcher!.states()[0]!.state === 'retrying');
    receiver = await startIngestServer({ store, port });
    append(10);
    await until('all 50', () => store.stats().stored === 50 && outbox.stats().depth === 0);
    assertComplete(receiver, 50);
    assert.equal(dispatcher!.states()[0]!.state, 'ok');
  });

  it('retries answers of 500 until every batch is stored once', async () => {
    receiver = await startIngestServer({ behaviour: { failRate: 0.5 } });
    append(40);
    await startPipeline(receiver.url);
    await until('all 40', () => outbox.stats().depth === 0);
    assertComplete(receiver, 40);
    assert.ok(dispatcher!.states()[0]!.retries > 0);
  });

  it('does not store twice what arrived after the gateway gave up waiting', async () => {
    receiver = await startIngestServer({ behaviour: { delayMs: 300 } });
    append(6);
    await startPipeline(receiver.url, 4, 150);
    await until('retrying', () => dispatcher!.states()[0]!.retries > 0);
    receiver.setBehaviour({});
    await until('all 6', () => outbox.stats().depth === 0);
    // The first attempts are still being handled by the receiver; they arrive as repeats.
    await until('the late originals arrive as repeats', () => receiver!.stats().duplicates > 0);
    assertComplete(receiver, 6);
  });

  it('recovers from connections reset after the batch was stored', async () => {
    receiver = await startIngestServer({ behaviour: { resetRate: 0.4 } });
    append(40);
    await startPipeline(receiver.url);
    await until('all 40', () => outbox.stats().depth === 0);
    assertComplete(receiver, 40);
    assert.ok(receiver.stats().duplicates > 0);
  });

  it('rejects with the status when the receiver refuses the signature', async () => {
    const other = loadOrCreateDeviceKey(mkdtempSync(join(dir, 'other-')));
    receiver = await startIngestServer({ keys: { kind: 'fixed', publicKeyHex: other.publicKeyHex } });
    append(1);
    const uplink = new HttpUplink({ url: receiver.url, timeoutMs: 2000, clock, serial: key.serial });
    await assert.rejects(uplink.deliver(outbox.pending('http', 1)[0]!), /HTTP 403/);
    await uplink.stop();
  });
});
