/**
 * Runs the EGW GATT service on the Bluetooth adapter through @stoprocent/bleno: sets the service when
 * the adapter powers on, advertises the gateway name and service UUID while the provisioning window is
 * open (or always, when configured), tracks connections and the ATT MTU. Without an adapter bleno
 * reports `unsupported`: we log that once and stay up (the WebSocket transport keeps serving).
 */
import type { Bleno } from '@stoprocent/bleno';
import type { Logger } from '../../../server/src/core/logger.ts';
import { EGW_SERVICE_UUID, EgwGattService, type OpenConnection } from './egw-gatt-service.ts';

export interface BlePeripheralOptions {
  /** Advertised local name (the gateway name; keep it short: 29 bytes of advertising data). */
  name: string;
  open: OpenConnection;
  logger: Logger;
  /** Advertise only while this says so (the provisioning window), unless alwaysAdvertise. */
  shouldAdvertise: () => boolean;
  alwaysAdvertise?: boolean;
  /** Loads bleno (default: the @stoprocent/bleno module's instance); tests pass a stand-in. */
  loadBleno?: () => Promise<Bleno>;
}

async function loadDefaultBleno(): Promise<Bleno> {
  const mod = await import('@stoprocent/bleno');
  // CommonJS module: the default export is the Bleno instance carrying the classes.
  return ((mod as { default?: Bleno }).default ?? mod) as Bleno;
}

/** The BLE side of egw-ble. State is bleno's adapter state, or "starting"/"error". */
export class BlePeripheral {
  private bleno?: Bleno;
  private state = 'starting';
  private readonly options: BlePeripheralOptions;
  private advertising = false;

  constructor(options: BlePeripheralOptions) {
    this.options = options;
  }

  /** Adapter state for /ble/status. */
  status(): string {
    return this.state;
  }

  /** Loads bleno (native bindings) and listens for adapter state; never throws for a missing adapter. */
  async start(): Promise<void> {
    const log = this.options.logger;
    process.env.BLENO_DEVICE_NAME ??= this.options.name;
    try {
      this.bleno = await (this.options.loadBleno ?? loadDefaultBleno)();
    } catch (error) {
      this.state = 'error';
      log.error({ err: error }, 'BLE disabled: @stoprocent/bleno could not be loaded');
      return;
    }
    const bleno = this.bleno;
    const gatt = new EgwGattService(bleno, this.options.open);
    let reportedUnsupported = false;
    bleno.on('stateChange', (state) => {
      this.state = state;
      if (state === 'poweredOn') {
        log.info('Bluetooth adapter powered on');
        bleno.setServices([gatt.service], (err) => {
          if (err) log.error({ err }, 'could not set the GATT service');
          this.refreshAdvertising();
        });
      } else if (state === 'unsupported' && !reportedUnsupported) {
        reportedUnsupported = true;
        log.warn(
          'no usable Bluetooth LE adapter (state "unsupported"): BLE is off, other transports keep serving',
        );
      } else {
        this.advertising = false;
      }
    });
    bleno.on('accept', (address, handle) => log.info({ address, handle }, 'BLE central connected'));
    bleno.on('disconnect', (address, handle) => {
      log.info({ address, handle }, 'BLE central disconnected');
      gatt.disconnect(handle);
    });
    bleno.on('mtuChange', (mtu: number, handle?: number) => gatt.setMtu(mtu, handle));
  }

  /** Starts or stops advertising to match the window (called on window changes). */
  refreshAdvertising(): void {
    const bleno = this.bleno;
    if (!bleno || this.state !== 'poweredOn') return;
    const want = this.options.alwaysAdvertise === true || this.options.shouldAdvertise();
    if (want && !this.advertising) {
      this.advertising = true;
      bleno.startAdvertising(this.options.name, [EGW_SERVICE_UUID], (err) => {
        if (err) {
          this.advertising = false;
          this.options.logger.error({ err }, 'could not start BLE advertising');
        }
      });
    } else if (!want && this.advertising) {
      this.advertising = false;
      bleno.stopAdvertising();
      this.options.logger.info('provisioning window closed: BLE advertising stopped');
    }
  }

  stop(): void {
    if (this.bleno && this.state === 'poweredOn') this.bleno.stopAdvertising();
    this.bleno?.removeAllListeners();
    this.bleno?.stop();
  }
}
