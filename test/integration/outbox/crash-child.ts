/**
 * Child process of crash.test.ts: a minimal gateway back end — device key, outbox, dispatcher, HTTP
 * uplink — that appends a batch every few ms (mode "run") or only delivers what is left (mode
 * "drain", exits 0 when the outbox is empty). The test kills it with SIGKILL at random moments.
 * Usage: node crash-child.ts DATA_DIR INGEST_URL run|drain
 */
import { join } from 'node:path';
import { SystemClock } from '../../../server/src/core/clock.ts';
import { loadOrCreateDeviceKey } from '../../../server/src/identity/device-key.ts';
import { createBatch } from '../../../server/src/identity/batch-jwt.ts';
import { Outbox } from '../../../server/src/outbox/outbox.ts';
import { OutboxDispatcher } from '../../../server/src/uplink/outbox-dispatcher.ts';
import { HttpUplink } from '../../../server/src/uplink/http/http-uplink.ts';

const [dataDir, url, mode] = process.argv.slice(2) as [string, string, 'run' | 'drain'];
const clock = new SystemClock();
const key = loadOrCreateDeviceKey(dataDir);
const outbox = Outbox.open(join(dataDir, 'egw.db'), {
  sign: (input, seq) => createBatch(key, input, seq),
  clock,
});
const uplink = new HttpUplink({ url, timeoutMs: 2000, clock, serial: key.serial });
const dispatcher = new OutboxDispatcher({
  outbox,
  uplinks: [uplink],
  clock,
  window: 8,
  backoff: { initialMs: 20, maxMs: 100 },
});
await dispatcher.start();
process.stdout.write('ready\n');

if (mode === 'run') {
  let n = 0;
  setInterval(() => {
    const ts = clock.nowMs() * 10;
    outbox.append({
      model: 'sunspec',
      harvests: [0, 1].map((i) => ({
        device: 'inv1',
        profile: 'sunspec',
        ts: ts + i,
        read_ms: 3,
        ac_power_w: n++,
      })),
    });
  }, 5);
} else {
  setInterval(() => {
    if (outbox.stats().depth > 0) return;
    void dispatcher.stop().then(() => {
      outbox.close();
      process.stdout.write('drained\n');
      process.exit(0);
    });
  }, 20);
}
