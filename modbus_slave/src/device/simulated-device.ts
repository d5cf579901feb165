/**
 * One simulated device: its physics model, the profile encoder that turns values into registers,
 * and what a reboot resets. The served image is re-encoded only when the site has moved on.
 */
import type { FaultController } from '../faults/fault-controller.ts';
import type { HybridModel } from '../physics/hybrid-model.ts';
import type { MeterModel } from '../physics/meter-model.ts';
import type { PvInverterModel } from '../physics/pv-inverter-model.ts';
import type { SimValues } from '../physics/sim-values.ts';
import type { RegisterImage } from '../server/register-image.ts';

/** Turns a device's values into the registers it serves (the profile encoder, bound to one profile). */
export type Imager = (values: SimValues) => RegisterImage;

/** How to build a device. */
export interface SimulatedDeviceOptions {
  id: string;
  profileId: string;
  unit: number;
  model: PvInverterModel | MeterModel | HybridModel;
  /** Identity and nameplate values that do not come from physics (make, model, serial…). */
  identity: SimValues;
  imager: Imager;
  faults: FaultController;
  /** Brings the site up to date; returns a number that changes whenever it moved. */
  sync(): number;
  /** Holding registers the device lets a client write (settings); every other write is refused. */
  writable?: readonly { start: number; count: number }[];
  /** The exception code the device refuses writes to read-only registers with (default 02). */
  readOnlyException?: number;
}

/** A device as the server sees it: a unit id and a current register image. */
export class SimulatedDevice {
  private image: RegisterImage | undefined;
  private imageGeneration = -1;
  private readonly options: SimulatedDeviceOptions;
  private readonly written = new Map<number, number>();

  constructor(options: SimulatedDeviceOptions) {
    this.options = options;
    options.faults.subscribe({ rebooted: () => this.reboot() });
  }

  /** Configured id. */
  get id(): string {
    return this.options.id;
  }

  /** Profile id. */
  get profileId(): string {
    return this.options.profileId;
  }

  /** Modbus unit id. */
  get unit(): number {
    return this.options.unit;
  }

  /** Run-time faults of this device. */
  get faults(): FaultController {
    return this.options.faults;
  }

  /** The measurements now (after bringing the site up to date). */
  values(): SimValues {
    this.options.sync();
    return { ...this.options.identity, ...this.options.model.values() };
  }

  /** The registers to serve now; written holding registers stay until a reboot. */
  currentImage(): RegisterImage {
    const generation = this.options.sync();
    if (!this.image || generation !== this.imageGeneration) {
      this.image = this.options.imager({ ...this.options.identity, ...this.options.model.values() });
      for (const [address, value] of this.written) this.image.holding.set(address, value);
      this.imageGeneration = generation;
    }
    return this.image;
  }

  /** The exception a write to [address, address + count) gets, or undefined when the device accepts it. */
  refuseWrite(address: number, count: number): number | undefined {
    const inside = (this.options.writable ?? []).some(
      (range) => address >= range.start && address + count <= range.start + range.count,
    );
    return inside ? undefined : (this.options.readOnlyException ?? 2);
  }

  /** Keeps a client's write (function 6/16) so the next image still shows it. */
  recordWrite(address: number, values: number[]): void {
    values.forEach((value, i) => this.written.set(address + i, value));
  }

  /** Registers reset to what the device computes; physics counters continue. */
  reboot(): void {
    this.written.clear();
    this.image = undefined;
    if ('reboot' in this.options.model) this.options.model.reboot();
  }
}
