/** A controller that refuses to advertise: egw-ble stays up and says so in its status (real bleno stack). */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEgwBleOnPty, type EgwBleOnPty } from '../../fakes/hci/egw-ble-on-pty.ts';

describe('egw-ble on a controller that refuses to advertise', () => {
  let dir = '';
  let ble: EgwBleOnPty;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'egw-ble-adv-fail-'));
    ble = await startEgwBleOnPty({
      dataDir: dir,
      gatewayUrl: 'http://127.0.0.1:5999',
      args: ['--name', 'EGW-REFUSED', '--no-unprovisioned-window', '--no-improv'],
      controller: { refuseAdvertisingWith: 0x0c },
      ready: (controller) => controller.refusedAdvertising > 0,
    });
  });

  after(async () => {
    await ble?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("reports poweredOn with advertising failed and the controller's reason, not a silent poweredOn", async () => {
    let status = await ble.status();
    for (let i = 0; i < 50 && (status.advertising as { state: string }).state !== 'failed'; i++) {
      await new Promise((done) => setImmediate(done));
      status = await ble.status();
    }
    assert.equal(status.ble, 'poweredOn');
    assert.deepEqual(status.advertising, { state: 'failed', error: 'Command Disallowed' });
    assert.equal(ble.controller.advertisingEnabled, false);
  });
});
