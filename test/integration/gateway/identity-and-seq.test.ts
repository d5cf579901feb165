/**
 * Key and seq belong together. Losing egw.db (deleted or truncated) while device.key stays must never
 * make the gateway sign a seq again (the receiver would answer "duplicate" and the batch would be
 * lost in silence): a new epoch begins, above every seq signed before, logged as an error and carried
 * in the JWT header. A missing device.key next to an existing egw.db refuses to start with one line
 * until `egw key rotate` makes a new identity on purpose.
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, symlinkSync, truncateSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from '../../../server/src/identity/jwt.ts';
import { fullReading } from '../../fixtures/prefill-outbox.ts';
import { egw } from '../devices/egw-cli.ts';
import { captureLogger, startFakeDeviceGateway } from './fake-device-gateway.ts';

let dir: string;
let n = 0;
before(() => void (dir = mkdtempSync(join(tmpdir(), 'egw-identity-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Starts the gateway on `dataDir`, appends `count` batches, stops; returns their headers. */
async function runAndAppend(dataDir: string, count: number, logger = captureLogger('info')) {
  const running = await startFakeDeviceGateway({ config: { dataDir }, logger: logger.logger });
  try {
    const headers = [];
    for (let i = 0; i < count; i++) {
      const record = running.gateway.outbox.append({
        model: 'sunspec',
        harvests: [fullReading('d0', 1_767_225_600_000 + n++ * 1000)],
      });
      assert.ok(record);
      headers.push(decodeJwt(record.jwt).header as Record<string, unknown>);
    }
    const notified = running.gateway.notifications.list().active.map((x) => x.code);
    return { headers, serial: running.gateway.serial, lines: logger.lines, notified };
  } finally {
    await running.stop();
  }
}

function removeDb(dataDir: string): void {
  for (const f of ['egw.db', 'egw.db-wal', 'egw.db-shm']) rmSync(join(dataDir, f), { force: true });
}

it('after egw.db is deleted, seqs continue above every seq signed before, in a new epoch, said loudly', async () => {
  const dataDir = join(dir, 'deleted');
  const first = await runAndAppend(dataDir, 3);
  assert.deepEqual(
    first.headers.map((h) => h.seq),
    [1, 2, 3],
  );
  assert.equal(first.headers[0]!.epoch, undefined, 'the first epoch keeps the header of DESIGN.md');
  removeDb(dataDir);
  const second = await runAndAppend(dataDir, 2);
  assert.equal(second.serial, first.serial);
  const seqs = second.headers.map((h) => h.seq as number);
  assert.ok(seqs[0]! > 3, `seq restarted at ${seqs[0]}`);
  assert.equal(seqs[1], seqs[0]! + 1);
  assert.equal(second.headers[0]!.epoch, 2);
  const loud = second.lines.find((l) => /NEW SIGNING EPOCH 2/.test(String(l.msg)));
  assert.ok(loud, 'an error line names the new epoch');
  assert.equal(loud.level, 50);
  assert.ok(second.notified.includes('signing_epoch_new'), 'and a notification');
  assert.ok(!first.notified.includes('signing_epoch_new'));
  // A third start on the same database is no new epoch.
  const third = await runAndAppend(dataDir, 1);
  assert.equal(third.headers[0]!.epoch, 2);
  assert.equal(third.headers[0]!.seq, seqs[1]! + 1);
  assert.ok(!third.lines.some((l) => /NEW SIGNING EPOCH/.test(String(l.msg))));
});

it('after egw.db is truncated to nothing, the same: a new epoch, no seq reused', async () => {
  const dataDir = join(dir, 'truncated');
  await runAndAppend(dataDir, 2);
  rmSync(join(dataDir, 'egw.db-wal'), { force: true });
  rmSync(join(dataDir, 'egw.db-shm'), { force: true });
  truncateSync(join(dataDir, 'egw.db'), 0);
  const again = await runAndAppend(dataDir, 1);
  assert.ok((again.headers[0]!.seq as number) > 2);
  assert.equal(again.headers[0]!.epoch, 2);
});

it('an older copy of egw.db put back (same database, fewer batches) starts a new epoch: no seq reused', async () => {
  const dataDir = join(dir, 'older-copy');
  await runAndAppend(dataDir, 2); // stopped cleanly: egw.db holds everything, no WAL left
  copyFileSync(join(dataDir, 'egw.db'), join(dir, 'older-copy.db'));
  const later = await runAndAppend(dataDir, 3);
  assert.deepEqual(
    later.headers.map((h) => h.seq),
    [3, 4, 5],
  );
  removeDb(dataDir);
  copyFileSync(join(dir, 'older-copy.db'), join(dataDir, 'egw.db')); // seqs 3..5 gone from it
  const again = await runAndAppend(dataDir, 1);
  assert.ok((again.headers[0]!.seq as number) > 5, `seq ${again.headers[0]!.seq} signed again`);
  assert.equal(again.headers[0]!.epoch, 2);
  assert.ok(
    again.lines.some((l) =>
      /NEW SIGNING EPOCH 2: .*lost the batches it committed after seq 2/.test(String(l.msg)),
    ),
  );
});

it('refuses to start without device.key next to an existing egw.db, until `egw key rotate`', async () => {
  const dataDir = join(dir, 'keyless');
  const before = await runAndAppend(dataDir, 2);
  unlinkSync(join(dataDir, 'device.key'));
  await assert.rejects(
    startFakeDeviceGateway({ config: { dataDir } }),
    /device\.key is missing but egw\.db and device\.seq exist: refusing to start with a new identity.*egw key rotate/,
  );
  const env = { EGW_DATA_DIR: dataDir, EGW_HTTP_PORT: '0' };
  const run = await egw(['run'], env);
  assert.equal(run.code, 2);
  assert.equal(run.stderr.trim().split('\n').length, 1, `one line: ${run.stderr}`);
  assert.match(run.stderr, /refusing to start with a new identity/);
  const rotate = await egw(['key', 'rotate'], env);
  assert.equal(rotate.code, 0, rotate.stderr);
  assert.match(rotate.stdout, /new device key: serial \S+/);
  const after = await runAndAppend(dataDir, 1);
  assert.notEqual(after.serial, before.serial);
  assert.equal(after.headers[0]!.device, after.serial);
  assert.equal(after.headers[0]!.epoch, 2, 'a rotated key starts a new epoch');
  assert.ok((after.headers[0]!.seq as number) > 2);
});

it('names a dangling device.key link instead of failing with an internal error', async () => {
  const dataDir = join(dir, 'dangling');
  await runAndAppend(dataDir, 1);
  unlinkSync(join(dataDir, 'device.key'));
  symlinkSync('/nonexistent/egw/device.key', join(dataDir, 'device.key'));
  await assert.rejects(
    startFakeDeviceGateway({ config: { dataDir } }),
    /symbolic link to \/nonexistent\/egw\/device\.key, which does not exist/,
  );
});
