/**
 * Chaos, end to end: the real `egw run` (child process) reading two simulated devices and delivering
 * to the reference ingest receiver, put through what goes wrong on a box, one phase after another on
 * the same data directory:
 *  - kill -9 at random moments while the receiver fails, is slow or loses answers (CHAOS_KILLS, 5);
 *  - receiver down for 10 s, then back: recovery = back → the backlog delivered;
 *  - database lost: egw.db deleted while stopped: recovery = start → first batch of the new epoch;
 *  - disk full: the data directory on an 8 MB tmpfs (root only; skipped otherwise) filled up for
 *    10 s, then freed: recovery = freed → everything committed delivered;
 *  - start on a full disk (same tmpfs): stopped, filled, started — it must come up and hold the
 *    batches in memory — then freed: recovery = freed → everything delivered (the database is
 *    retried every 5 s).
 * At the end every batch the gateway committed must be at the receiver once: it prints gaps (and
 * which a new signing epoch announced), seqs reused with other content, silent losses (must be 0) and
 * the recovery times. `npm run bench -- chaos` (about 2 min; --quick: 2 kills).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { startSimulator } from '../modbus_slave/src/simulator.ts';
import { startIngestServer } from '../server/src/ingest/ingest-server.ts';
import { sleep, waitFor } from '../test/e2e/pipeline-harness.ts';
import type { BenchFigures, BenchOptions } from './bench-types.ts';

const ROOT = join(import.meta.dirname, '..');
const round = (n: number): number => Math.round(n) / 1000;

interface Run {
  child: ChildProcess;
  ready: Promise<void>;
  exited: Promise<number | null>;
  port: () => number;
}

function spawnGateway(configFile: string): Run {
  const child = spawn(process.execPath, ['server/src/cli/main.ts', 'run', '--config', configFile], {
    cwd: ROOT,
    env: { ...process.env, EGW_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let port = 0;
  const ready = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; httpPort?: number };
        if (entry.msg === 'gateway started' && entry.httpPort) port = entry.httpPort;
        if (entry.msg === 'egw ready') resolve();
      } catch {
        // not a log line
      }
    });
    void exited.then((code) => reject(new Error(`egw run exited (${code}) before it was ready`)));
  });
  ready.catch(() => undefined);
  return { child, ready, exited, port: () => port };
}

/** The chaos run. */
export default async function chaosBench({ quick }: BenchOptions): Promise<BenchFigures> {
  const kills = Number(process.env.CHAOS_KILLS ?? (quick ? 2 : 5));
  const dir = mkdtempSync(join(tmpdir(), 'egw-chaos-'));
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { mode: 0o700 });
  // A small tmpfs for the disk-full phase; without root the phase is skipped.
  const mounted =
    spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8m,mode=0700', 'tmpfs', dataDir]).status === 0;
  const dbFile = join(dataDir, 'egw.db');
  const sim = await startSimulator({
    devices: [
      { profile: 'huawei', id: 'inv' },
      { profile: 'sdm630', id: 'meter' },
    ],
  });
  const receiver = await startIngestServer({});
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
  let run: Run | undefined;
  const start = async (): Promise<Run> => {
    run = spawnGateway(configFile);
    await run.ready;
    return run;
  };
  const stop = async (signal: NodeJS.Signals): Promise<void> => {
    if (run && run.child.exitCode === null) run.child.kill(signal);
    await run?.exited;
    run = undefined;
  };
  /** Waits until nothing is held or undelivered and the receiver holds the last seq; resolves the ms. */
  const drained = async (what: string, timeoutMs = 60_000): Promise<number> => {
    const t0 = performance.now();
    await waitFor(what, timeoutMs, async () => {
      const res = await fetch(`http://127.0.0.1:${run!.port()}/api/stats`);
      const { outbox } = (await res.json()) as { outbox: { depth: number; held: number; lastSeq: number } };
      const have = new Set(receiver.records().map((r) => r.seq));
      return outbox.depth === 0 && outbox.held === 0 && have.has(outbox.lastSeq) ? true : undefined;
    });
    return performance.now() - t0;
  };
  const figures: BenchFigures = { kills, diskFullPhase: mounted ? 1 : 0 };
  try {
    // 1. kill -9 while the receiver misbehaves.
    const behaviours = [{ failRate: 0.7 }, { delayMs: 300 }, { resetRate: 0.4 }, {}];
    for (let i = 0; i < kills; i++) {
      receiver.setBehaviour(behaviours[i % behaviours.length]!);
      await start();
      await sleep(1500 + ((i * 617) % 1500));
      await stop('SIGKILL');
    }
    receiver.setBehaviour({});
    await start();
    figures.killRecoveryS = round(await drained('the backlog after the kills'));

    // 2. Receiver down for 10 s.
    receiver.setBehaviour({ failRate: 1 });
    await sleep(quick ? 4000 : 10_000);
    receiver.setBehaviour({});
    figures.receiverRecoveryS = round(await drained('the backlog after the receiver came back'));

    // 3. Database lost while stopped.
    await stop('SIGTERM');
    for (const f of ['egw.db', 'egw.db-wal', 'egw.db-shm']) rmSync(join(dataDir, f), { force: true });
    const t0 = performance.now();
    const before = receiver.records().length;
    await start();
    await waitFor('a batch of the new epoch', 30_000, async () =>
      receiver.records().length > before ? true : undefined,
    );
    figures.databaseLostRecoveryS = round(performance.now() - t0);

    // 4. Disk full for 10 s.
    if (mounted) {
      const filler = join(dataDir, 'filler');
      spawnSync('sh', ['-c', `dd if=/dev/zero of='${filler}' bs=64k 2>/dev/null; sync`]);
      await sleep(quick ? 4000 : 10_000);
      unlinkSync(filler);
      figures.diskFullRecoveryS = round(await drained('the batches held while the disk was full'));

      // 5. Started on a full disk (SQLite cannot open egw.db): it comes up, holds, stores once freed.
      await stop('SIGTERM');
      spawnSync('sh', ['-c', `dd if=/dev/zero of='${filler}' bs=64k 2>/dev/null; sync`]);
      await start();
      await sleep(quick ? 3000 : 6000);
      unlinkSync(filler);
      figures.fullDiskStartRecoveryS = round(await drained('the batches held since a start on a full disk'));
    }
    const live = (await (await fetch(`http://127.0.0.1:${run!.port()}/api/stats`)).json()) as {
      outbox: Record<string, number>;
      uplinks: unknown[];
    };
    figures.outboxAtEnd = JSON.stringify(live.outbox);
    figures.uplinksAtEnd = JSON.stringify(live.uplinks).slice(0, 300);
    await stop('SIGTERM');

    // The books: every committed seq at the receiver once, gaps only where a new epoch says so.
    const records = receiver.records();
    const bySeq = new Map(records.map((r) => [r.seq, r]));
    // Seqs signed twice with different content: what the outbox still holds against the receiver.
    const db = new Database(dbFile, { readonly: true });
    let lastSeq: number;
    let reused = 0;
    let pending = new Set<number>();
    try {
      // Sealed at the last stop and not yet delivered: still in the outbox, not lost.
      pending = new Set(
        (db.prepare('SELECT seq FROM batches WHERE delivered_at IS NULL').all() as { seq: number }[]).map(
          (r) => r.seq,
        ),
      );
      lastSeq = (db.prepare("SELECT value FROM meta WHERE key = 'last_seq'").get() as { value: number })
        .value;
      for (const row of db.prepare('SELECT seq, jwt FROM batches').all() as { seq: number; jwt: string }[]) {
        const held = bySeq.get(row.seq);
        if (held && held.jwt !== row.jwt) reused++;
      }
    } finally {
      db.close();
    }
    let announced = 0;
    let silent = 0;
    let gaps = 0;
    const holes: number[] = [];
    for (let seq = 1; seq <= lastSeq; seq++) {
      if (bySeq.has(seq) || pending.has(seq)) continue;
      gaps++;
      if (seq === 1 || bySeq.has(seq - 1) || pending.has(seq - 1)) holes.push(seq);
      // A hole ending where a batch of a higher epoch begins was announced (NEW SIGNING EPOCH).
      let next = seq + 1;
      while (next <= lastSeq && !bySeq.has(next)) next++;
      const after = bySeq.get(next)?.header.epoch as number | undefined;
      let prev = seq - 1;
      while (prev > 0 && !bySeq.has(prev)) prev--;
      const beforeEpoch = (bySeq.get(prev)?.header.epoch as number | undefined) ?? 1;
      if ((after ?? 1) > beforeEpoch) announced++;
      else silent++;
    }
    const stats = receiver.stats();
    Object.assign(figures, {
      lastSeq,
      received: records.length,
      redeliveries: stats.duplicates,
      gapSeqs: gaps,
      announcedGapSeqs: announced,
      silentLosses: silent,
      reusedSeqs: reused,
      pendingAtEnd: pending.size,
      holesStartingAt: holes.slice(0, 8).join(' '),
      rejected: stats.rejected,
      epochs: Math.max(...records.map((r) => (r.header.epoch as number | undefined) ?? 1)),
      // Where each epoch begins (its first seq) and the last seq before it: what a receiver sees.
      epochStarts: [...records]
        .sort((a, b) => a.seq - b.seq)
        .filter((r, i, all) => i > 0 && r.header.epoch !== all[i - 1]!.header.epoch)
        .map(
          (r) => `${records.filter((x) => x.seq < r.seq).reduce((m, x) => Math.max(m, x.seq), 0)}→${r.seq}`,
        )
        .join(' '),
    });
    return figures;
  } finally {
    await stop('SIGKILL');
    await receiver.stop();
    await sim.stop();
    if (mounted) spawnSync('umount', [dataDir]);
    rmSync(dir, { recursive: true, force: true });
  }
}
