/**
 * disk_low and storage_error raised by a full disk and cleared when space comes back: the real gateway
 * (startGateway, SQLite outbox) over fake device readers, its data directory on a small tmpfs that the
 * test fills with a file, the gateway on a ManualClock. Mounting needs root (CI runs as root).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigSchema } from '../../../server/src/config/schema.ts';
import { ManualClock } from '../../../server/src/core/clock.ts';
import { silentLogger } from '../../../server/src/core/logger.ts';
import { Scheduler } from '../../../server/src/engine/scheduler.ts';
import { startGateway, type RunningGateway } from '../../../server/src/gateway/start-gateway.ts';
import type { NotificationCode } from '../../../server/src/notifications/notification.ts';
import { createWifiManager } from '../../../server/src/wifi/create-wifi-manager.ts';
import { clockDriver } from './clock-driver.ts';
import { FakeDeviceReader } from '../../fakes/fake-device-reader.ts';
import { mountTmpfs } from '../../fixtures/mount-tmpfs.ts';

const { base, mountPoint, skip } = mountTmpfs('egw-disk-', 8192);

describe('disk_low and storage_error on a small tmpfs', { skip, timeout: 60_000 }, () => {
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
  let engine: Scheduler;
  let gw: RunningGateway;
  const filler = join(mountPoint, 'filler');

  const active = (code: NotificationCode) => gw.notifications.list().active.filter((n) => n.code === code);
  const { until, stopWhileAdvancing } = clockDriver(clock);

  before(async () => {
    const config = ConfigSchema.parse({
      dataDir: join(mountPoint, 'data'),
      http: { host: '127.0.0.1', port: 0 },
      devices: [{ id: 'd0', type: 'tcp', host: '127.0.0.1', profile: 'sunspec' }],
      harvest: { intervalMs: 500, frequencyHz: 0, batchSize: 1 },
      notifications: { checkIntervalMs: 5000 },
    });
    engine = new Scheduler({ clock, logger: silentLogger() });
    engine.start();
    gw = await startGateway(
      { config, clock, logger: silentLogger(), engine },
      {
        openReader: (device) => new FakeDeviceReader(clock, { id: device.id }),
        createUplinks: () => Promise.resolve([]),
        wifi: createWifiManager({ clock }),
        api: false,
      },
    );
  });
  after(async () => {
    if (!skip) {
      await stopWhileAdvancing(async () => {
        await engine?.stop(0);
        await gw?.stop();
      });
      execFileSync('umount', [mountPoint]);
    }
    rmSync(base, { recursive: true, force: true });
  });

  test('a full disk raises both, freeing it clears both', async () => {
    await until('batches stored', () => gw.outbox.stats().lastSeq >= 3);
    assert.equal(active('disk_low').length, 0);
    assert.equal(active('storage_error').length, 0);

    const s = statfsSync(mountPoint);
    writeFileSync(filler, Buffer.alloc(Math.max(0, s.bavail * s.bsize - 4096)));
    await until('disk_low raised', () => active('disk_low').length === 1);
    assert.match(active('disk_low')[0]?.message ?? '', /% free/);
    assert.equal(active('disk_low')[0]?.subject, join(mountPoint, 'data'));
    await until('storage_error raised', () => active('storage_error').length === 1);
    assert.equal(active('storage_error')[0]?.severity, 'error');

    rmSync(filler);
    await until('disk_low cleared', () => active('disk_low').length === 0);
    await until('storage_error cleared', () => active('storage_error').length === 0);
    assert.equal(gw.outbox.stats().held, 0, 'held batches were written once there was space');
  });
});
