/**
 * Raises and clears the gateway's own notifications from what its parts report: device and uplink
 * states from the bus (held for a minute / five minutes first), and a periodic check of the outbox,
 * the disk, the clock and the BLE service. Constructed by the composition root; start()/stop().
 */
import type { Clock, Timer } from '../core/clock.ts';
import { describeError } from '../core/errors.ts';
import type { EventBus } from '../core/event-bus.ts';
import type { Logger } from '../core/logger.ts';
import { adapterMissing, readBleStatus } from './ble-status.ts';
import { clockUnsynchronisedReason } from './clock-sync.ts';
import { diskFree } from './disk-free.ts';
import { HeldCondition } from './held-condition.ts';
import type { NotificationCenter } from './notification-center.ts';

/** A device failing this long raises device_failing, ms. */
export const DEVICE_FAILING_AFTER_MS = 60_000;
/** An uplink retrying this long raises uplink_retrying, ms. */
export const UPLINK_RETRYING_AFTER_MS = 300_000;
/** Outbox depth above this share of its bound raises outbox_nearly_full. */
export const OUTBOX_NEARLY_FULL_RATIO = 0.8;
/** Free disk below this percentage raises disk_low. */
export const DISK_LOW_PCT = 10;

export interface NotificationSourcesOptions {
  center: NotificationCenter;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  /** The data directory: its disk is checked, egw-ble's control socket is there. */
  dataDir: string;
  /** Outbox figures: depth and the storage-failure counters. */
  outbox: () => { depth: number; storageErrors: number; held: number; databaseUnavailable?: string };
  /** The outbox bound (config outbox.maxBatches). */
  outboxMaxBatches: number;
  /** Names of the running uplinks (a removed uplink's notification is cleared). */
  uplinkNames: () => string[];
  /** Period of the outbox/disk/clock/BLE check, ms (default 10 000). */
  checkIntervalMs?: number;
  /** File whose presence means NTP synchronised (optional; see clock-sync.ts). */
  clockSyncedFile?: string;
}

/** The gateway's own notification sources. */
export class NotificationSources {
  private readonly options: NotificationSourcesOptions;
  private readonly devicesFailing: HeldCondition;
  private readonly uplinksRetrying: HeldCondition;
  private readonly uplinkErrors = new Map<string, string>();
  private unsubscribe: (() => void)[] = [];
  private timer: Timer | undefined;
  private running = false;
  private lastStorageErrors = 0;
  private checking: Promise<void> | undefined;

  constructor(options: NotificationSourcesOptions) {
    this.options = options;
    const { center, clock } = options;
    this.devicesFailing = new HeldCondition({
      clock,
      name: 'notify-device-failing',
      afterMs: DEVICE_FAILING_AFTER_MS,
      raise: (device) =>
        center.raise({
          code: 'device_failing',
          device,
          message: `device "${device}" has not answered for over a minute`,
        }),
      clear: (device) => center.clear({ code: 'device_failing', device }),
    });
    this.uplinksRetrying = new HeldCondition({
      clock,
      name: 'notify-uplink-retrying',
      afterMs: UPLINK_RETRYING_AFTER_MS,
      raise: (uplink) =>
        center.raise({
          code: 'uplink_retrying',
          subject: uplink,
          message: `uplink "${uplink}" has been retrying for over 5 minutes${this.lastErrorOf(uplink)}`,
        }),
      clear: (uplink) => center.clear({ code: 'uplink_retrying', subject: uplink }),
    });
  }

  /** Subscribes to the bus and runs the first check (awaited), then checks periodically. */
  async start(): Promise<void> {
    const { bus } = this.options;
    this.running = true;
    this.unsubscribe = [
      bus.on('device-state', ({ device, state }) => {
        if (state === 'backoff') this.devicesFailing.hold(device);
        else if (state === 'connected') this.devicesFailing.release(device);
      }),
      bus.on('devices-changed', ({ ids }) => this.devicesFailing.keepOnly(ids)),
      bus.on('uplink-state', ({ uplink, state, lastError }) => {
        if (state === 'retrying') {
          if (lastError) this.uplinkErrors.set(uplink, lastError);
          this.uplinksRetrying.hold(uplink);
        } else this.uplinksRetrying.release(uplink);
      }),
    ];
    await this.check();
  }

  /** Stops listening and checking (notifications stay as they are). */
  async stop(): Promise<void> {
    this.running = false;
    this.timer?.cancel();
    this.unsubscribe.forEach((off) => off());
    this.unsubscribe = [];
    this.devicesFailing.stop();
    this.uplinksRetrying.stop();
    await this.checking;
  }

  /** Runs the periodic check now (tests, and the first run at start); resolves when it is done. */
  check(): Promise<void> {
    this.timer?.cancel();
    this.checking ??= this.runChecks().finally(() => {
      this.checking = undefined;
      if (this.running) {
        const periodMs = this.options.checkIntervalMs ?? 10_000;
        this.timer = this.options.clock.setTimer('notification-check', periodMs, () => void this.check());
      }
    });
    return this.checking;
  }

  private lastErrorOf(uplink: string): string {
    const error = this.uplinkErrors.get(uplink);
    return error ? ` (last error: ${error})` : '';
  }

  private async runChecks(): Promise<void> {
    const { logger } = this.options;
    const steps: [string, () => Promise<void> | void][] = [
      ['outbox', () => this.checkOutbox()],
      ['uplinks', () => this.uplinksRetrying.keepOnly(this.options.uplinkNames())],
      ['disk', () => this.checkDisk()],
      ['clock', () => this.checkClock()],
      ['ble', () => this.checkBle()],
    ];
    for (const [name, step] of steps) {
      try {
        await step();
      } catch (error) {
        logger.warn({ check: name, err: describeError(error) }, 'notification check failed');
      }
    }
  }

  private checkOutbox(): void {
    const { center, outboxMaxBatches } = this.options;
    const stats = this.options.outbox();
    const limit = OUTBOX_NEARLY_FULL_RATIO * outboxMaxBatches;
    center.set(stats.depth > limit, {
      code: 'outbox_nearly_full',
      message: `outbox holds ${stats.depth} of at most ${outboxMaxBatches} batches (over 80 %); the oldest are dropped when it is full`,
    });
    // Raised while batches wait in memory for the disk or a write failed since the last check.
    const newErrors = stats.storageErrors - this.lastStorageErrors;
    this.lastStorageErrors = stats.storageErrors;
    center.set(stats.held > 0 || newErrors > 0 || stats.databaseUnavailable !== undefined, {
      code: 'storage_error',
      message:
        stats.databaseUnavailable !== undefined
          ? `the outbox cannot open its database (${stats.databaseUnavailable}): ${stats.held} batches held in memory, retried every 5 s`
          : `the outbox cannot write to its database: ${newErrors} failed writes since the last check, ${stats.held} batches held in memory`,
    });
  }

  private async checkDisk(): Promise<void> {
    const { center, dataDir } = this.options;
    const disk = await diskFree(dataDir);
    center.set(disk.freePct < DISK_LOW_PCT, {
      code: 'disk_low',
      subject: dataDir,
      message: `${dataDir}: ${disk.freePct.toFixed(1)} % free (${Math.round(disk.freeBytes / 1024)} KiB of ${Math.round(disk.totalBytes / 1024)} KiB), below ${DISK_LOW_PCT} %`,
    });
  }

  private async checkClock(): Promise<void> {
    const { center, clock, clockSyncedFile } = this.options;
    const reason = await clockUnsynchronisedReason(clock.nowMs(), clockSyncedFile);
    center.set(reason !== undefined, { code: 'clock_unsynchronised', message: reason ?? '' });
  }

  private async checkBle(): Promise<void> {
    const { center, dataDir, clock } = this.options;
    const status = await readBleStatus(dataDir, clock);
    center.set(status !== undefined && adapterMissing(status), {
      code: 'bluetooth_adapter_missing',
      message: `the BLE service reports adapter state "${status?.ble}": provisioning over Bluetooth is off`,
    });
    const window = status?.window;
    center.set(window?.open === true, {
      code: 'provisioning_window_open',
      message: `the BLE provisioning window is open${window?.reason ? ` (${window.reason})` : ''}: changes over BLE are accepted`,
    });
  }
}
