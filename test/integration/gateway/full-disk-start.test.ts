/**
 * A start on an already full disk (issue 15, item 7): the real gateway (startGateway, SQLite outbox,
 * seq ledger) over fake device readers on a ManualClock, its data directory on a small tmpfs that the
 * test fills. SQLite then cannot open egw.db (it cannot grow its -shm file): the gateway must start
 * anyway, hold the batches in memory, say so once naming the file, raise storage_error, and store the
 * held batches — consecutive seqs after the last one stored, same epoch — once space comes back.
 * Mounting needs root (CI runs as root); skipped with the reason otherwise.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigSchema } from '../../../server/src/config/schema.ts';
import { ManualClock } from '../../../server/src/core/clock.ts';
import type { Logger } from '../../../server/src/core/logger.ts';
import { silentLogger } from '../../../server/src/core/logger.ts';
import { Scheduler } from '../../../server/src/engine/scheduler.ts';
import { startGateway, type RunningGateway } from '../../../server/src/gateway/start-gateway.ts';
import { decodeJwt } from '../../../server/src/identity/jwt.ts';
import { createWifiManager } from '../../../server/src/wifi/create-wifi-manager.ts';
import { clockDriver } from '../notifications/clock-driver.ts';
import { FakeDeviceReader } from '../../fakes/fake-device-reader.ts';
import { mountTmpfs } from '../../fixtures/mount-tmpfs.ts';
import { captureLogger } from './fake-device-gateway.ts';

/** Writes until the file system says ENOSPC. */
function fill(path: string): void {
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeSync(fd, block);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  }
  const small = Buffer.alloc(512);
  try {
    for (;;) writeSync(fd, small);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
}

const { base, mountPoint, skip } = mountTmpfs('egw-full-start-', 4096);

describe('start on a full disk', { skip, timeout: 60_000 }, () => {
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
  const dataDir = join(mountPoint, 'data');
  const filler = join(mountPoint, 'filler');
  const { until, stopWhileAdvancing } = clockDriver(clock);
  const running: { engine: Scheduler; gw: RunningGateway }[] = [];

  async function start(logger: Logger): Promise<RunningGateway> {
    const config = ConfigSchema.parse({
      dataDir,
      devices: [{ id: 'd0', type: 'tcp', host: '127.0.0.1', profile: 'sunspec' }],
      harvest: { intervalMs: 500, frequencyHz: 0, batchSize: 1 },
      notifications: { checkIntervalMs: 2000 },
    });
    const engine = new Scheduler({ clock, logger: silentLogger() });
    engine.start();
    const gw = await startGateway(
      { config, clock, logger, engine },
      {
        openReader: (device) => new FakeDeviceReader(clock, { id: device.id }),
        createUplinks: () => Promise.resolve([]),
        wifi: createWifiManager({ clock }),
        api: false,
      },
    );
    running.push({ engine, gw });
    return gw;
  }

  async function stop(): Promise<void> {
    for (const { engine, gw } of running.splice(0)) {
      await stopWhileAdvancing(async () => {
        await engine.stop(0);
        await gw.stop();
      });
    }
  }

  after(async () => {
    if (!skip) {
      await stop().catch(() => {});
      execFileSync('umount', [mountPoint]);
    }
    rmSync(base, { recursive: true, force: true });
  });

  test('starts, holds batches in memory, stores them with the next seqs once space is back', async () => {
    const first = await start(silentLogger());
    await until('batches stored', () => first.outbox.stats().lastSeq >= 3);
    let lastBefore = 0;
    first.bus.on('batch', (b) => void (lastBefore = b.seq));
    lastBefore = first.outbox.stats().lastSeq;
    await stop();

    fill(filler);
    const { logger, lines } = captureLogger('info');
    const gw = await start(logger); // today's code: SQLITE_IOERR_SHMSIZE, "disk I/O error", exit 1
    const seqs: number[] = [];
    const epochs = new Set<unknown>();
    gw.bus.on('batch', (b) => {
      seqs.push(b.seq);
      epochs.add(decodeJwt(b.jwt).header.epoch);
    });
    const errors = lines.filter((l) => l.level === 50);
    assert.equal(errors.length, 1, `one error line: ${JSON.stringify(errors)}`);
    assert.match(String(errors[0]?.msg), new RegExp(`${join(dataDir, 'egw.db')} cannot be opened`));

    await until('batches held in memory', () => gw.outbox.stats().held >= 4);
    const storage = () => gw.notifications.list().active.filter((n) => n.code === 'storage_error');
    await until('storage_error raised', () => storage().length === 1);
    assert.match(storage()[0]?.message ?? '', /cannot open its database/);
    assert.equal(seqs.length, 0, 'nothing is signed before the database opens');

    rmSync(filler);
    await until('held batches stored', () => gw.outbox.stats().held === 0 && seqs.length >= 6);
    assert.deepEqual(
      seqs,
      seqs.map((_, i) => lastBefore + 1 + i),
      'consecutive seqs after the last stored one: none lost, none reused',
    );
    assert.deepEqual([...epochs], [undefined], 'the same signing epoch');
    assert.equal(gw.outbox.stats().databaseUnavailable, undefined);
    assert.ok(lines.some((l) => /opened; storing the batches held in memory/.test(String(l.msg))));
    await until('storage_error cleared', () => storage().length === 0);
  });
});
