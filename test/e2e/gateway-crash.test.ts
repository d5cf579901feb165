/**
 * Crash safety of the real gateway: `egw run` (child process) harvesting two simulated devices and
 * uploading to the reference ingest receiver is SIGKILLed 20 times at seeded random moments — during
 * start-up, while harvesting, while uploading — with the receiver slow, failing or resetting in some
 * cycles so that a backlog exists at the kill. After every kill the outbox passes
 * `PRAGMA integrity_check`; after a final run that drains, the receiver holds seq 1…N exactly once,
 * each batch verifies with node:crypto and equals what the outbox signed.
 * (test/integration/outbox/crash.test.ts does the same against a minimal outbox child.)
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { Prng } from '../../modbus_slave/src/physics/prng.ts';
import { startSimulator } from '../../modbus_slave/src/simulator.ts';
import { startIngestServer, type IngestBehaviour } from '../../server/src/ingest/ingest-server.ts';
import { sleep, verifyJwt, waitFor } from './pipeline-harness.ts';

const ROOT = join(import.meta.dirname, '..', '..');
// Overridable for a longer hunt or another draw: EGW_CRASH_KILLS=100 EGW_CRASH_SEED=7 node --test …
const KILLS = Math.max(20, Number(process.env.EGW_CRASH_KILLS ?? 20));
const SEED = Number(process.env.EGW_CRASH_SEED ?? 20261125);

/** Receiver behaviours drawn per cycle: healthy, slow (a backlog builds), failing, losing answers. */
const BEHAVIOURS: IngestBehaviour[] = [
  {},
  {},
  { delayMs: 400 },
  { failRate: 0.7 },
  { resetRate: 0.4 },
  { delayMs: 150, failRate: 0.3, resetRate: 0.2 },
];

/** One `egw run` child; its JSON log lines (stdout, level info) are parsed, never printed. */
interface GatewayRun {
  child: ChildProcess;
  /** Resolves once "egw ready" was logged; rejects if the process ends first. */
  ready: Promise<void>;
  /** The web API port from the "gateway started" line (0 until then). */
  httpPort: () => number;
  exited: Promise<void>;
  stderr: () => string;
}

const children = new Set<ChildProcess>();

function spawnGateway(configFile: string): GatewayRun {
  const child = spawn(process.execPath, ['server/src/cli/main.ts', 'run', '--config', configFile], {
    cwd: ROOT,
    env: { ...process.env, EGW_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      children.delete(child);
      resolve();
    }),
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-10_000)));
  let httpPort = 0;
  const ready = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let entry: { msg?: string; httpPort?: number; level?: number };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        return;
      }
      if (entry.msg === 'gateway started' && entry.httpPort) httpPort = entry.httpPort;
      if (entry.msg === 'egw ready') resolve();
      if ((entry.level ?? 0) >= 50) stderr = (stderr + line + '\n').slice(-10_000);
    });
    void exited.then(() => reject(new Error(`gateway exited before ready: ${stderr}`)));
  });
  ready.catch(() => undefined);
  return { child, ready, httpPort: () => httpPort, exited, stderr: () => stderr };
}

async function kill(run: GatewayRun): Promise<void> {
  if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
  await run.exited;
}

/** `PRAGMA integrity_check` of the outbox and its number of undelivered batches. */
function inspect(dbFile: string): { integrity: string; pending: number } {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const integrity = db.pragma('integrity_check', { simple: true }) as string;
    const { n } = db.prepare('SELECT count(*) AS n FROM batches WHERE delivered_at IS NULL').get() as {
      n: number;
    };
    return { integrity, pending: n };
  } finally {
    db.close();
  }
}

after(() => {
  for (const child of children) child.kill('SIGKILL');
});

describe('gateway crash safety (real egw run, SIGKILL)', { timeout: 150_000 + (KILLS - 20) * 5000 }, () => {
  test(`${KILLS} SIGKILLs during start-up, harvesting and upload: outbox intact, receiver gap- and duplicate-free`, async (t) => {
    const prng = new Prng(SEED);
    const dir = mkdtempSync(join(tmpdir(), 'egw-gateway-crash-'));
    const dataDir = join(dir, 'data');
    const dbFile = join(dataDir, 'egw.db');
    const sim = await startSimulator({
      seed: SEED,
      devices: [
        { profile: 'huawei', id: 'inv' },
        { profile: 'sdm630', id: 'meter' },
      ],
    });
    // Its own stream: how many requests arrive varies with timing, the kill schedule must not.
    const faults = new Prng(SEED + 1);
    const receiver = await startIngestServer({ random: () => faults.next() });
    let current: GatewayRun | undefined;
    t.after(async () => {
      if (current) await kill(current);
      await receiver.stop();
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    const configFile = join(dir, 'config.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        dataDir,
        http: { host: '127.0.0.1', port: 0 },
        devices: sim.devices.map((d) => ({
          id: d.id,
          type: 'tcp',
          host: '127.0.0.1',
          port: d.port,
          unit: d.unit,
          profile: d.profile,
        })),
        ingest: { url: receiver.url, timeoutMs: 2000 },
        harvest: { intervalMs: 200, batchSize: 1 },
      }),
    );

    const kinds = { startup: 0, harvesting: 0, upload: 0 };
    let maxPending = 0;
    let readyAfterMs = 2000; // spawn → "egw ready", measured before the first start-up kill
    for (let cycle = 1; cycle <= KILLS; cycle++) {
      receiver.setBehaviour(prng.pick(BEHAVIOURS));
      const kind = cycle > 1 && prng.chance(0.25) ? 'startup' : prng.pick(['harvesting', 'upload'] as const);
      const receivedBefore = receiver.stats().received;
      const spawnedAt = Date.now();
      const run = (current = spawnGateway(configFile));
      if (kind === 'startup') {
        // Mostly late in the start-up, where the database is opened, migrated and resumed (the early
        // part is loading modules).
        const delayMs = prng.between(0.3, 1.1) * readyAfterMs;
        await Promise.race([sleep(delayMs), run.ready.catch(() => undefined)]);
      } else {
        await run.ready;
        readyAfterMs = Date.now() - spawnedAt;
        if (kind === 'upload') {
          await waitFor(`cycle ${cycle}: a batch reaching the receiver`, 20_000, async () => {
            // A gateway that died on its own ends the wait; the assertion below reports it.
            if (run.child.exitCode !== null) return true;
            return receiver.stats().received > receivedBefore ? true : undefined;
          });
        }
        await sleep(prng.between(0, 800));
      }
      assert.equal(
        run.child.exitCode,
        null,
        `cycle ${cycle}: the gateway was still running (${run.stderr()})`,
      );
      await kill(run);
      kinds[kind]++;
      // Cycle 1 is never a start-up kill, so the database exists from here on.
      const { integrity, pending } = inspect(dbFile);
      assert.equal(integrity, 'ok', `integrity_check after kill ${cycle} (${kind})`);
      maxPending = Math.max(maxPending, pending);
    }
    assert.ok(kinds.startup > 0 && kinds.harvesting > 0 && kinds.upload > 0, JSON.stringify(kinds));

    // The last run: a healthy receiver; wait for the backlog to drain, then a clean SIGTERM stop.
    receiver.setBehaviour({});
    const run = (current = spawnGateway(configFile));
    await run.ready;
    const api = async <T>(path: string): Promise<T> => {
      const res = await fetch(`http://127.0.0.1:${run.httpPort()}${path}`);
      if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
      return (await res.json()) as T;
    };
    const { serial, publicKeyPem } = await api<{ serial: string; publicKeyPem: string }>('/api/crypto');
    await waitFor('the outbox backlog to drain', 30_000, async () => {
      const { outbox } = await api<{ outbox: { depth: number; lastSeq: number } }>('/api/stats');
      const stats = receiver.stats().serials[serial];
      return outbox.depth <= 1 && outbox.lastSeq > KILLS && stats?.gaps.length === 0 ? true : undefined;
    });
    run.child.kill('SIGTERM');
    await run.exited;
    assert.equal(run.child.exitCode, 0, `clean stop (${run.stderr()})`);
    assert.equal(inspect(dbFile).integrity, 'ok', 'integrity_check after the clean stop');

    const db = new Database(dbFile, { readonly: true });
    const lastSeq = (db.prepare("SELECT value FROM meta WHERE key = 'last_seq'").get() as { value: number })
      .value;
    const kept = new Map(
      (
        db.prepare('SELECT seq, jwt, delivered_at FROM batches').all() as {
          seq: number;
          jwt: string;
          delivered_at: number | null;
        }[]
      ).map((row) => [row.seq, row]),
    );
    db.close();

    const stats = receiver.stats().serials[serial];
    assert.ok(stats, `the receiver knows ${serial}`);
    assert.deepEqual(stats.gaps, [], 'no gaps at the receiver');
    assert.equal(stats.firstSeq, 1);
    const records = receiver.records().filter((r) => r.serial === serial);
    const seqs = records.map((r) => r.seq).sort((a, b) => a - b);
    const stored = seqs.length;
    assert.ok(stored >= KILLS, `batches were produced across the cycles (${stored})`);
    assert.deepEqual(
      seqs,
      Array.from({ length: stored }, (_, i) => i + 1),
      'seq 1…N stored exactly once',
    );
    // Whatever was sealed after the last acknowledgement (the SIGTERM drain) is still in the outbox.
    for (let seq = stored + 1; seq <= lastSeq; seq++) {
      assert.equal(kept.get(seq)?.delivered_at, null, `seq ${seq} still pending in the outbox`);
    }
    const key = createPublicKey(publicKeyPem);
    for (const record of records) {
      const jwt = verifyJwt(record.jwt, key);
      assert.ok(jwt, `seq ${record.seq}: the signature verifies with node:crypto`);
      assert.equal(jwt.header.seq, record.seq);
      // A seq signed twice with different content (lost on a crash, then reused) would show here.
      const row = kept.get(record.seq);
      if (row)
        assert.equal(row.jwt, record.jwt, `seq ${record.seq}: the receiver holds what the outbox signed`);
    }
    t.diagnostic(
      `kills ${JSON.stringify(kinds)}, largest backlog at a kill ${maxPending}; ` +
        `batches stored ${stored}, last seq ${lastSeq}; ` +
        `received ${receiver.stats().received}, duplicates ${stats.duplicates}`,
    );
  });
});
