import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import bleno, { type Bleno } from '@stoprocent/bleno';
import { pino } from 'pino';
import { ManualClock } from '../../../../server/src/core/clock.ts';
import { BlePeripheral } from '../../../../bluetooth/src/gatt/ble-peripheral.ts';
import { buildAdvertisingData } from '../../../../bluetooth/src/gatt/advertisement.ts';
import { EGW_SERVICE_UUID } from '../../../../bluetooth/src/gatt/egw-gatt-service.ts';
import { ProvisioningWindow } from '../../../../bluetooth/src/provisioning/provisioning-window.ts';

/** Stands in for bleno's adapter side (no adapter here); the GATT classes are bleno's own. */
class FakeBleno extends EventEmitter {
  readonly Characteristic = bleno.Characteristic;
  readonly PrimaryService = bleno.PrimaryService;
  readonly calls: string[] = [];
  setServices(services: { uuid: string }[], callback: (error?: Error) => void): void {
    this.calls.push(`setServices ${services.map((s) => s.uuid).join(',')}`);
    callback();
  }
  /** Refuses like bleno does when the controller answers advertise-enable with an error. */
  refuse?: Error;
  startAdvertisingWithEIRData(advertisement: Buffer, scan: Buffer, callback: (error?: Error) => void): void {
    this.calls.push(`startAdvertising ${advertisement.toString('hex')} ${scan.toString('hex')}`);
    callback(this.refuse);
  }
  stopAdvertising(): void {
    this.calls.push('stopAdvertising');
  }
  stop(): void {
    this.calls.push('stop');
  }
}

function setup() {
  const fake = new FakeBleno();
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
  const clock = new ManualClock();
  const window = new ProvisioningWindow({ clock, bootWindowMs: 60_000 });
  const peripheral = new BlePeripheral({
    name: 'EGW-3F9A',
    logger,
    advertising: () => [buildAdvertisingData('EGW-3F9A', EGW_SERVICE_UUID)],
    clock,
    open: () => ({ write: async () => {}, close: () => {} }),
    shouldAdvertise: () => window.isOpen(),
    // The stand-in implements the part of Bleno the peripheral uses.
    loadBleno: async () => fake as unknown as Bleno,
  });
  window.onChange(() => peripheral.refreshAdvertising());
  return { fake, lines, clock, peripheral };
}

describe('BlePeripheral', () => {
  it('logs a missing adapter once, reports "unsupported" and keeps running', async () => {
    const { fake, lines, peripheral } = setup();
    await peripheral.start();
    fake.emit('stateChange', 'unsupported');
    fake.emit('stateChange', 'unsupported');
    assert.equal(peripheral.status(), 'unsupported');
    assert.equal(lines.filter((l) => l.includes('no usable Bluetooth LE adapter')).length, 1);
    assert.deepEqual(fake.calls, []);
  });

  it('sets the service and advertises the name and service UUID while the window is open, and stops when it closes', async () => {
    const { fake, clock, peripheral } = setup();
    const ad = buildAdvertisingData('EGW-3F9A', EGW_SERVICE_UUID);
    await peripheral.start();
    fake.emit('stateChange', 'poweredOn');
    assert.deepEqual(fake.calls, [
      `setServices ${EGW_SERVICE_UUID.replaceAll('-', '')}`,
      `startAdvertising ${ad.advertisement.toString('hex')} ${ad.scanResponse.toString('hex')}`,
    ]);
    assert.equal(peripheral.advertisingStatus().state, 'advertising');
    await clock.advance(60_000);
    assert.equal(fake.calls.at(-1), 'stopAdvertising');
    peripheral.stop();
  });

  it('reports an advertising failure in its status instead of claiming to advertise', async () => {
    const { fake, peripheral } = setup();
    fake.refuse = new Error('Invalid HCI Command Parameters');
    await peripheral.start();
    fake.emit('stateChange', 'poweredOn');
    assert.deepEqual(peripheral.advertisingStatus(), {
      state: 'failed',
      error: 'Invalid HCI Command Parameters',
    });
    peripheral.stop();
  });

  it('reports "error" and stays up when bleno cannot be loaded', async () => {
    const peripheral = new BlePeripheral({
      name: 'EGW',
      advertising: () => [buildAdvertisingData('EGW', EGW_SERVICE_UUID)],
      clock: new ManualClock(),
      logger: pino({ level: 'silent' }),
      open: () => ({ write: async () => {}, close: () => {} }),
      shouldAdvertise: () => true,
      loadBleno: async () => {
        throw new Error('no prebuilt binding for this platform');
      },
    });
    await peripheral.start();
    assert.equal(peripheral.status(), 'error');
    peripheral.stop();
  });
});
