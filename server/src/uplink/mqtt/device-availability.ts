/**
 * Per-device availability for MQTT (`<prefix>/<device>/availability`, retained `online`/`offline`):
 * online when a reading arrives, offline when the device's reads fail or no reading came for
 * `staleAfterMs`, so Home Assistant stops showing the last value as current.
 */
import type { Clock, Timer } from '../../core/clock.ts';
import { STATUS_OFFLINE, STATUS_ONLINE } from './mqtt-topics.ts';

type Availability = typeof STATUS_ONLINE | typeof STATUS_OFFLINE;

export interface DeviceAvailabilityOptions {
  clock: Clock;
  /** No reading for this long marks the device offline, ms. */
  staleAfterMs: number;
  /** Publishes one device's availability (retained); called on every change and by republish(). */
  publish: (device: string, availability: Availability) => void;
}

/** Tracks whether each device is online and publishes the changes. */
export class DeviceAvailability {
  private readonly options: DeviceAvailabilityOptions;
  private readonly states = new Map<string, Availability>();
  private readonly staleTimers = new Map<string, Timer>();

  constructor(options: DeviceAvailabilityOptions) {
    this.options = options;
  }

  /** A reading arrived: online, and offline again if the next one is late. */
  reading(device: string): void {
    this.staleTimers.get(device)?.cancel();
    this.staleTimers.set(
      device,
      this.options.clock.setTimer(`mqtt-stale:${device}`, this.options.staleAfterMs, () =>
        this.set(device, STATUS_OFFLINE),
      ),
    );
    this.set(device, STATUS_ONLINE);
  }

  /** The device's reads failed (it is backing off). */
  failed(device: string): void {
    this.set(device, STATUS_OFFLINE);
  }

  /** Forgets a removed device (its topic is cleared by the caller). */
  remove(device: string): void {
    this.staleTimers.get(device)?.cancel();
    this.staleTimers.delete(device);
    this.states.delete(device);
  }

  /** The current availability of a device (undefined before its first reading or failure). */
  get(device: string): Availability | undefined {
    return this.states.get(device);
  }

  /** Publishes every known device's availability again (after a reconnect). */
  republish(): void {
    for (const [device, availability] of this.states) this.options.publish(device, availability);
  }

  /** Cancels the stale timers. */
  stop(): void {
    for (const timer of this.staleTimers.values()) timer.cancel();
    this.staleTimers.clear();
  }

  private set(device: string, availability: Availability): void {
    if (this.states.get(device) === availability) return;
    this.states.set(device, availability);
    this.options.publish(device, availability);
  }
}
