/**
 * The product's main job end to end, real processes and sockets: simulator → `egw run` (child
 * process) → HTTP ingest receiver. Checks the signed batches independently (node:crypto), the sequence
 * (no gap, no duplicate stored), the 10 Hz frequency statistics in every harvest, a device coming
 * back after going silent, and a clean SIGTERM drain.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sleep, startPipeline, verifyJwt, waitFor, type Pipeline } from './pipeline-harness.ts';

type Harvest = Record<string, unknown> & { device: string; ts: number };

describe('harvest pipeline end to end', { timeout: 90_000 }, () => {
  let p: Pipeline;
  before(async () => {
    p = await startPipeline({ batchSize: 3 });
  });
  after(async () => {
    await p?.close();
  });

  test('after ~15 s every received batch verifies, seq is gap-free, harvests carry ~10 Hz statistics', async () => {
    await sleep(15_000);
    // Deliveries are pipelined: wait until what arrived is contiguous from seq 1.
    const records = await waitFor('a gap-free sequence at the receiver', 10_000, async () => {
      const stats = p.ingest.stats().serials[p.serial];
      return stats && stats.firstSeq === 1 && stats.gaps.length === 0 && stats.stored >= 8
        ? p.ingest.records()
        : undefined;
    });
    const seqs = records.map((r) => r.seq).sort((a, b) => a - b);
    assert.deepEqual(
      seqs,
      Array.from({ length: seqs.length }, (_, i) => i + 1),
      'seq 1…N, each stored once',
    );
    const harvests: Harvest[] = [];
    for (const record of records) {
      const jwt = verifyJwt(record.jwt, p.publicKey);
      assert.ok(jwt, `seq ${record.seq}: signature verifies with node:crypto`);
      assert.deepEqual(Object.keys(jwt.header), ['alg', 'typ', 'device', 'opr', 'model', 'seq']);
      assert.equal(jwt.header.alg, 'ES256K');
      assert.equal(jwt.header.device, p.serial);
      assert.equal(jwt.header.seq, record.seq);
      for (const [key, reading] of Object.entries(jwt.payload)) {
        assert.equal(String(reading.ts), key, 'payload keyed by harvest timestamp');
        assert.equal(jwt.header.model, reading.profile, 'one device’s profile per batch');
        harvests.push(reading as Harvest);
      }
    }
    for (const device of ['inv', 'meter']) {
      const own = harvests.filter((h) => h.device === device).sort((a, b) => a.ts - b.ts);
      assert.ok(own.length >= 9, `${device}: ${own.length} harvests`);
      // The first window starts with the connection; every later one spans one 1 s harvest period.
      for (const h of own.slice(1)) {
        const n = h.grid_frequency_samples as number;
        assert.ok(n >= 8 && n <= 11, `${device} harvest at ${h.ts}: ${n} samples`);
        const min = h.grid_frequency_min_hz as number;
        const max = h.grid_frequency_max_hz as number;
        const mean = h.grid_frequency_mean_hz as number;
        assert.ok(min > 49 && max < 51 && min <= mean && mean <= max, `${device}: ${min} ≤ ${mean} ≤ ${max}`);
      }
    }
  });

  test('a device that goes silent and comes back is read again within 10 s, the other keeps its cadence', async () => {
    await p.sim.faults('meter', { silent: true });
    await waitFor('meter to be reported failing', 10_000, async () => {
      const info = (await p.api('/api/devices/meter')) as { stats: { failures: number } };
      return info.stats.failures > 0 ? true : undefined;
    });
    // Long enough for the connection's and the harvest's backoffs to reach their caps.
    await sleep(4000);
    await p.sim.faults('meter');
    const liftedAt = Date.now();
    const back = await waitFor('a fresh meter reading', 12_000, async () => {
      const reading = (await p.api('/api/devices/meter/reading')) as { ts: number };
      return reading.ts > liftedAt ? Date.now() : undefined;
    });
    assert.ok(back - liftedAt <= 10_000, `picked up after ${back - liftedAt} ms`);
    const inv = (await p.api('/api/devices/inv/reading')) as { ts: number };
    assert.ok(Date.now() - inv.ts < 2500, 'the inverter kept being harvested');
  });

  test('SIGTERM drains cleanly: exit 0, the partial batches sealed, the outbox intact and gap-free', async () => {
    const stoppedAt = Date.now();
    p.gateway.kill('SIGTERM');
    const code = await Promise.race([p.exited, sleep(15_000).then(() => 'timeout')]);
    assert.equal(code, 0, `exit code (stderr: ${p.stderr().slice(-2000)})`);
    const db = new Database(join(p.dataDir, 'egw.db'), { readonly: true });
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
      const rows = db.prepare('SELECT seq, payload FROM batches ORDER BY seq').all() as {
        seq: number;
        payload: string;
      }[];
      const lastSeq = (db.prepare("SELECT value FROM meta WHERE key = 'last_seq'").get() as { value: number })
        .value;
      const received = new Set(p.ingest.records().map((r) => r.seq));
      const kept = new Set(rows.map((r) => r.seq));
      for (let seq = 1; seq <= lastSeq; seq++) {
        assert.ok(received.has(seq) || kept.has(seq), `seq ${seq} delivered or still in the outbox`);
      }
      // Without the drain, up to batchSize − 1 harvests per device would still be in memory.
      const newest = new Map<string, number>();
      for (const row of rows) {
        for (const h of Object.values(JSON.parse(row.payload) as Record<string, Harvest>)) {
          newest.set(h.device, Math.max(newest.get(h.device) ?? 0, h.ts));
        }
      }
      for (const device of ['inv', 'meter']) {
        assert.ok((newest.get(device) ?? 0) >= stoppedAt - 1500, `${device}: last harvest sealed at stop`);
      }
    } finally {
      db.close();
    }
  });
});
