/**
 * One device's sampling and harvesting: a fixed-rate frequency task (10 Hz, samples into a ring
 * buffer) and a fixed-rate harvest task (full read → canonical reading with the window's frequency
 * statistics). Both share the device's backoff, so a slow or dead device skips its slots without I/O
 * and never delays another device (each device has its own tasks and connection).
 */
import type { Clock } from '../core/clock.ts';
import { describeError } from '../core/errors.ts';
import type { EventBus } from '../core/event-bus.ts';
import type { Logger } from '../core/logger.ts';
import type { Reading } from '../core/reading.ts';
import type { DeviceReader } from './device-reader.ts';
import type { TaskEngine, TaskHandle } from '../engine/task.ts';
import { DeviceHealth, type DeviceHealthOptions, type HealthTransition } from '../harvest/device-health.ts';
import { DeviceStatusTracker, STALE_HARVEST_PERIODS, type DeviceStatus } from '../harvest/device-status.ts';
import { FrequencySampler } from '../harvest/frequency-sampler.ts';
import { PowerHistory } from '../harvest/power-history.ts';
import { toReadingFields } from '../harvest/frequency-window.ts';

export interface DevicePipelineOptions {
  reader: DeviceReader;
  engine: TaskEngine;
  clock: Clock;
  bus: EventBus;
  logger: Logger;
  /** Harvest period, ms. */
  harvestIntervalMs: number;
  /** Frequency sampling rate, Hz (0 = no frequency task). */
  frequencyHz: number;
  /** Offset of this device's slots, ms, so many devices do not all start their reads at once. */
  phaseMs?: number;
  /** Called with every harvest reading (the batcher). */
  onHarvest: (reading: Reading) => void;
  health?: DeviceHealthOptions;
}

/** The running tasks of one device. */
export class DevicePipeline {
  readonly id: string;
  readonly sampler: FrequencySampler;
  /** Recent power at harvest rate (the dashboard's chart on page load). */
  readonly power: PowerHistory;
  private readonly health: DeviceHealth;
  private readonly tracker = new DeviceStatusTracker();
  private readonly log: Logger;
  private tasks: TaskHandle[] = [];
  private readonly options: DevicePipelineOptions;
  private latest: Reading | undefined;
  /** Fixed-rate schedules of the running tasks (monotonic start, period), for msUntilNextSlot(). */
  private slots: { startAtMs: number; periodMs: number }[] = [];
  private inFlight = 0;

  constructor(options: DevicePipelineOptions) {
    this.options = options;
    this.id = options.reader.id;
    this.sampler = new FrequencySampler(this.id);
    this.power = new PowerHistory(this.id);
    this.health = new DeviceHealth(options.clock, options.health);
    this.log = options.logger.child({ device: this.id });
  }

  /** Latest harvest reading, if any. */
  get reading(): Reading | undefined {
    return this.latest;
  }

  /** What the device's reads say about it (state, reason, age of the last good reading, staleness). */
  status(): DeviceStatus {
    const { clock, harvestIntervalMs } = this.options;
    return this.tracker.status(clock.nowMs(), STALE_HARVEST_PERIODS * harvestIntervalMs);
  }

  /** Last read error while the device is failing. */
  get lastError(): string | undefined {
    return this.health.lastError;
  }

  /** Registers the frequency and harvest tasks on the engine. */
  start(): void {
    if (this.tasks.length > 0) return;
    const { engine, clock, frequencyHz, harvestIntervalMs, phaseMs = 0 } = this.options;
    const startAtMs = clock.monotonicMs() + phaseMs;
    this.slots = [{ startAtMs: startAtMs + harvestIntervalMs, periodMs: harvestIntervalMs }];
    if (frequencyHz > 0) {
      this.slots.push({ startAtMs, periodMs: 1000 / frequencyHz });
      this.tasks.push(
        engine.every({
          name: `frequency:${this.id}`,
          kind: 'frequency',
          priority: 5,
          periodMs: 1000 / frequencyHz,
          startAtMs,
          run: ({ signal }) => this.sample(signal),
        }),
      );
    }
    this.tasks.push(
      engine.every({
        name: `harvest:${this.id}`,
        kind: 'harvest',
        priority: 10,
        periodMs: harvestIntervalMs,
        startAtMs: startAtMs + harvestIntervalMs,
        run: ({ signal }) => this.harvest(signal),
      }),
    );
  }

  /** Cancels the tasks (runs in flight get their signal aborted). The reader stays open. */
  stop(): void {
    for (const task of this.tasks) task.cancel();
    this.tasks = [];
    this.slots = [];
  }

  /** The shortest slot period of the running tasks, ms (Infinity when stopped). */
  get minSlotPeriodMs(): number {
    return Math.min(...this.slots.map((s) => s.periodMs));
  }

  /**
   * Time until this device's next frequency or harvest slot, ms; 0 while one of its reads runs, so
   * other work on the device's connection (proxied reads) fits between slots and never delays one.
   */
  msUntilNextSlot(): number {
    if (this.inFlight > 0) return 0;
    const nowMs = this.options.clock.monotonicMs();
    let next = Infinity;
    for (const { startAtMs, periodMs } of this.slots) {
      const k = Math.max(0, Math.ceil((nowMs - startAtMs) / periodMs));
      next = Math.min(next, startAtMs + k * periodMs - nowMs);
    }
    return next;
  }

  /** One frequency slot: a small read, one sample. */
  async sample(signal?: AbortSignal): Promise<void> {
    if (!this.health.mayRead()) return;
    this.inFlight++;
    try {
      await this.sampleOnce(signal);
    } finally {
      this.inFlight--;
    }
  }

  private async sampleOnce(signal?: AbortSignal): Promise<void> {
    const { reader, clock, bus } = this.options;
    const ts = clock.nowMs();
    let hz: number | undefined;
    try {
      hz = await reader.readFrequency(signal);
    } catch (error) {
      if (!signal?.aborted) this.failed(error);
      return;
    }
    this.transition(this.health.succeeded());
    if (hz === undefined) return;
    this.sampler.add({ ts, hz });
    bus.emit('frequency', { device: this.id, ts, hz });
  }

  /** One harvest slot: the full read, stamped with the frequency statistics since the last harvest. */
  async harvest(signal?: AbortSignal): Promise<void> {
    const window = this.sampler.takeWindow();
    if (!this.health.mayRead()) return;
    this.inFlight++;
    try {
      await this.harvestOnce(window, signal);
    } finally {
      this.inFlight--;
    }
  }

  private async harvestOnce(
    window: ReturnType<FrequencySampler['takeWindow']>,
    signal?: AbortSignal,
  ): Promise<void> {
    const { reader, bus, onHarvest } = this.options;
    let reading: Reading;
    try {
      reading = await reader.read(signal);
    } catch (error) {
      if (!signal?.aborted) this.failed(error);
      return;
    }
    this.transition(this.health.succeeded());
    this.tracker.harvested(reading.ts);
    const harvest: Reading = { ...reading, ...toReadingFields(window) };
    this.latest = harvest;
    this.power.add(harvest);
    bus.emit('reading', harvest);
    onHarvest(harvest);
  }

  private failed(error: unknown): void {
    const message = describeError(error);
    this.tracker.failed(error, message);
    const transition = this.health.failed(message);
    if (transition) this.log.warn({ err: message }, 'device read failed; backing off');
    this.transition(transition, message);
  }

  private transition(state: HealthTransition, error?: string): void {
    if (!state) return;
    if (state === 'connected') this.log.info('device reading');
    this.options.bus.emit('device-state', { device: this.id, state, ...(error ? { error } : {}) });
  }
}
