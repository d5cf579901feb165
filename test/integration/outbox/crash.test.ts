import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { loadOrCreateDeviceKey } from '../../../server/src/identity/device-key.ts';
import { startIngestServer } from '../../../server/src/ingest/ingest-server.ts';

const CHILD = join(import.meta.dirname, 'crash-child.ts');
const KILLS = 20;
const children = new Set<ChildProcess>();

function startChild(
  dataDir: string,
  url: string,
  mode: 'run' | 'drain',
): { child: ChildProcess; saw: (line: string) => Promise<void> } {
  const child = spawn(process.execPath, [CHILD, dataDir, url, mode], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, EGW_LOG_LEVEL: 'silent' },
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const saw = (line: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (out.includes(`${line}\n`)) resolve();
        else if (child.exitCode !== null || child.signalCode !== null)
          reject(new Error(`child exited before "${line}"`));
        else setTimeout(check, 5);
      };
      check();
    });
  return { child, saw };
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((r) => child.once('exit', () => r()));
}

function integrity(path: string): string {
  const db = new Database(path);
  try {
    return db.pragma('integrity_check', { simple: true }) as string;
  } finally {
    db.close();
  }
}

after(() => {
  for (const child of children) child.kill('SIGKILL');
});

describe('outbox crash safety', () => {
  it(
    `survives ${KILLS} SIGKILLs during harvesting and upload: integrity ok, receiver gap- and duplicate-free`,
    { timeout: 120_000 },
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'egw-crash-'));
      const key = loadOrCreateDeviceKey(dataDir);
      const receiver = await startIngestServer({ keys: { kind: 'fixed', publicKeyHex: key.publicKeyHex } });
      try {
        for (let i = 0; i < KILLS; i++) {
          const { child, saw } = startChild(dataDir, receiver.url, 'run');
          await saw('ready');
          await new Promise((r) => setTimeout(r, 20 + Math.random() * 300));
          child.kill('SIGKILL');
          await exited(child);
          assert.equal(integrity(join(dataDir, 'egw.db')), 'ok', `integrity after kill ${i + 1}`);
        }
        const { child, saw } = startChild(dataDir, receiver.url, 'drain');
        await saw('drained');
        await exited(child);

        const db = new Database(join(dataDir, 'egw.db'), { readonly: true });
        const lastSeq = (
          db.prepare("SELECT value FROM meta WHERE key = 'last_seq'").get() as { value: number }
        ).value;
        db.close();
        const stats = receiver.stats().serials[key.serial]!;
        assert.ok(lastSeq > KILLS, `batches were made (${lastSeq})`);
        assert.equal(stats.firstSeq, 1);
        assert.equal(stats.lastSeq, lastSeq);
        assert.deepEqual(stats.gaps, []);
        const seqs = receiver.records().map((r) => r.seq);
        assert.equal(seqs.length, lastSeq, 'every batch stored exactly once');
        assert.equal(new Set(seqs).size, lastSeq);
        for (const record of receiver.records()) {
          const [h, p, s] = record.jwt.split('.') as [string, string, string];
          assert.ok(
            verify(
              'sha256',
              Buffer.from(`${h}.${p}`),
              { key: key.publicKeyPem, dsaEncoding: 'ieee-p1363' },
              Buffer.from(s, 'base64url'),
            ),
          );
        }
      } finally {
        await receiver.stop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  );
});
