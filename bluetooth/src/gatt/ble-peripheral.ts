/**
 * Runs the GATT services on the Bluetooth adapter through @stoprocent/bleno: sets the services when
 * the adapter powers on, advertises the service UUID (and the name, in the scan response when it
 * does not fit) while the provisioning window is open (or always, when configured), and reports
 * advertising failures. Without an adapter bleno reports `unsupported`: we log that once and stay
 * up (the WebSocket transport keeps serving). A controller on a UART (HCI firmware on an nRF52 or
 * ESP32, Pi HATs) is driven through bleno's `uart` HCI driver.
 */
import type { Bleno, PrimaryService } from '@stoprocent/bleno';
import { NotAvailable } from '../../../server/src/core/errors.ts';
import type { Clock, Timer } from '../../../server/src/core/clock.ts';
import type { Logger } from '../../../server/src/core/logger.ts';
import type { AdvertisingData } from './advertisement.ts';
import type { HciUart } from './hci-uart.ts';
import { EgwGattService, type BlenoClasses, type OpenConnection } from './egw-gatt-service.ts';

/** Another GATT service beside EGWTTP (Improv); told about disconnections. */
export interface ExtraGattService {
  readonly service: PrimaryService;
  disconnect(handle: number | string): void;
}

export interface BlePeripheralOptions {
  open: OpenConnection;
  logger: Logger;
  /**
   * The advertising sets to use now (called each time advertising (re)starts). Several sets take
   * turns every `rotateMs`: Improv's UUID and service data must share one advertisement, which the
   * EGW UUID does not fit beside (Improv spec: "cycle between advertising data").
   */
  advertising: () => AdvertisingData[];
  /** For the rotation timer. */
  clock: Clock;
  /** How long each advertising set stays on, ms (default 2000). */
  rotateMs?: number;
  /** Advertise only while this says so (the provisioning window), unless alwaysAdvertise. */
  shouldAdvertise: () => boolean;
  alwaysAdvertise?: boolean;
  /** Name of the GAP Device Name characteristic. */
  name: string;
  /** Drive a UART controller instead of the kernel's HCI socket. */
  hciUart?: HciUart;
  /** Services beside EGWTTP, built from bleno's classes once bleno is loaded. */
  extraServices?: (classes: BlenoClasses) => ExtraGattService[];
  /** Loads bleno (default: the @stoprocent/bleno module); tests pass a stand-in. */
  loadBleno?: (hciUart?: HciUart) => Promise<Bleno>;
}

/** Advertising as /ble/status reports it. */
export type AdvertisingState =
  | { state: 'off' }
  | { state: 'advertising'; advertisementBytes: number; scanResponseBytes: number }
  | { state: 'failed'; error: string };

interface BlenoModule {
  default?: Bleno & { withBindings?: WithBindings };
  withBindings?: WithBindings;
}
type WithBindings = (type: 'hci', options: Record<string, unknown>) => Bleno;

async function loadDefaultBleno(hciUart?: HciUart): Promise<Bleno> {
  const mod = (await import('@stoprocent/bleno')) as unknown as BlenoModule;
  // CommonJS module: the default export is the Bleno instance carrying the classes.
  const instance = (mod.default ?? mod) as Bleno & { withBindings?: WithBindings };
  if (!hciUart) return instance;
  const withBindings = mod.withBindings ?? instance.withBindings;
  if (!withBindings)
    throw new NotAvailable('this @stoprocent/bleno has no withBindings(): no UART controller support', {
      field: 'hci-uart',
    });
  // bleno's own API for a UART controller: the hci bindings with the `uart` driver and its port.
  const bound = withBindings('hci', {
    hciDriver: 'uart',
    bindParams: { uart: { port: hciUart.port, baudRate: hciUart.baudRate } },
  });
  // The classes live on the module instance; the bound instance is a plain Bleno.
  return Object.assign(bound, {
    Characteristic: instance.Characteristic,
    PrimaryService: instance.PrimaryService,
    Descriptor: instance.Descriptor,
  });
}

/** The BLE side of egw-ble. State is bleno's adapter state, or "starting"/"error". */
export class BlePeripheral {
  private bleno?: Bleno;
  private state = 'starting';
  private readonly options: BlePeripheralOptions;
  private advertising = false;
  private advertisingState: AdvertisingState = { state: 'off' };
  private gatt?: EgwGattService;
  private extras: ExtraGattService[] = [];
  private rotation?: Timer;
  private turn = 0;

  constructor(options: BlePeripheralOptions) {
    this.options = options;
  }

  /** Adapter state for /ble/status. */
  status(): string {
    return this.state;
  }

  /** Whether advertising runs, and why not when it failed. */
  advertisingStatus(): AdvertisingState {
    return this.advertisingState;
  }

  /** Loads bleno (native bindings) and listens for adapter state; never throws for a missing adapter. */
  async start(): Promise<void> {
    const log = this.options.logger;
    process.env.BLENO_DEVICE_NAME ??= this.options.name;
    try {
      this.bleno = await (this.options.loadBleno ?? loadDefaultBleno)(this.options.hciUart);
    } catch (error) {
      this.state = 'error';
      log.error({ err: error }, 'BLE disabled: @stoprocent/bleno could not be loaded');
      return;
    }
    const bleno = this.bleno;
    const gatt = new EgwGattService(bleno, this.options.open);
    this.gatt = gatt;
    this.extras = this.options.extraServices?.(bleno) ?? [];
    let reportedUnsupported = false;
    bleno.on('stateChange', (state) => {
      this.state = state;
      if (state === 'poweredOn') {
        log.info('Bluetooth adapter powered on');
        bleno.setServices([gatt.service, ...this.extras.map((e) => e.service)], (err) => {
          if (err) log.error({ err }, 'could not set the GATT services');
          this.refreshAdvertising();
        });
      } else if (state === 'unsupported' && !reportedUnsupported) {
        reportedUnsupported = true;
        log.warn(
          'no usable Bluetooth LE adapter (state "unsupported"): BLE is off, other transports keep serving',
        );
      } else {
        this.advertising = false;
        this.advertisingState = { state: 'off' };
      }
    });
    bleno.on('accept', (address, handle) => log.info({ address, handle }, 'BLE central connected'));
    bleno.on('disconnect', (address, handle) => {
      log.info({ address, handle }, 'BLE central disconnected');
      gatt.disconnect(handle);
      for (const extra of this.extras) extra.disconnect(handle);
    });
  }

  /** Starts or stops advertising to match the window (called on window changes). */
  refreshAdvertising(): void {
    const bleno = this.bleno;
    if (!bleno || this.state !== 'poweredOn') return;
    const want = this.options.alwaysAdvertise === true || this.options.shouldAdvertise();
    if (want && !this.advertising) {
      this.advertising = true;
      this.startAdvertising(bleno);
    } else if (!want && this.advertising) {
      this.advertising = false;
      this.advertisingState = { state: 'off' };
      this.rotation?.cancel();
      bleno.stopAdvertising();
      this.options.logger.info('provisioning window closed: BLE advertising stopped');
    }
  }

  /** New advertising data (e.g. Improv's state changed) while advertising: set it again. */
  updateAdvertising(): void {
    if (this.bleno && this.advertising) this.startAdvertising(this.bleno);
  }

  private startAdvertising(bleno: Bleno): void {
    this.rotation?.cancel();
    let sets: AdvertisingData[];
    try {
      sets = this.options.advertising();
    } catch (error) {
      return this.failed(error);
    }
    const data = sets[this.turn++ % sets.length];
    if (!data) return;
    bleno.startAdvertisingWithEIRData(data.advertisement, data.scanResponse, (err) => {
      if (err) return this.failed(err);
      this.advertisingState = {
        state: 'advertising',
        advertisementBytes: data.advertisement.length,
        scanResponseBytes: data.scanResponse.length,
      };
    });
    if (sets.length > 1) {
      this.rotation = this.options.clock.setTimer(
        'ble-advertising-rotation',
        this.options.rotateMs ?? 2000,
        () => {
          if (this.advertising) this.startAdvertising(bleno);
        },
      );
    }
  }

  private failed(error: unknown): void {
    this.advertising = false;
    const message = error instanceof Error ? error.message : String(error);
    this.advertisingState = { state: 'failed', error: message };
    this.options.logger.error({ err: error }, 'could not start BLE advertising');
  }

  stop(): void {
    this.rotation?.cancel();
    if (this.bleno && this.state === 'poweredOn') this.bleno.stopAdvertising();
    this.bleno?.removeAllListeners();
    this.bleno?.stop();
  }

  /** Connections the EGWTTP service knows (tests). */
  connectionCount(): number {
    return this.gatt?.connectionCount() ?? 0;
  }
}
