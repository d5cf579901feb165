/**
 * The delivery module: the outbox (SQLite, with the settings table the runtime settings live in), the
 * dispatcher and the uplinks the settings enable. Started before the devices, so it is stopped after
 * them: the batches sealed while the devices drain still get a moment to go out before the dispatcher
 * stops and the outbox closes. Uplinks follow the settings: rebuilt when the API changes ingest or mqtt.
 */
import { join } from 'node:path';
import type { Clock, Timer } from '../core/clock.ts';
import { describeError, EgwError } from '../core/errors.ts';
import type { EventBus } from '../core/event-bus.ts';
import type { Feature } from '../core/feature.ts';
import type { Logger } from '../core/logger.ts';
import type { NotificationCenter } from '../notifications/notification-center.ts';
import type { Config } from '../config/schema.ts';
import type { Settings } from '../config/settings.ts';
import { PersistentSettingsStore } from '../config/settings-store.ts';
import { createBatch } from '../identity/batch-jwt.ts';
import type { GatewayIdentity } from '../identity/gateway-identity.ts';
import { OUTBOX_FILE } from '../identity/identity-check.ts';
import { SeqGuard } from '../identity/seq-guard.ts';
import { OPEN_RETRY_MS, Outbox } from '../outbox/outbox.ts';
import { OutboxDispatcher } from './outbox-dispatcher.ts';
import type { Uplink, UplinkState } from './uplink.ts';

/** How long stop() waits for the uplinks to deliver the batches sealed at stop, ms. */
export const FINAL_DELIVERY_MS = 1000;

export interface DeliveryOptions {
  config: Config;
  dataDir: string;
  identity: GatewayIdentity;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  /** Told of a replaced database, a new signing epoch and stored settings set aside. */
  notifications: NotificationCenter;
  /** The uplinks the settings enable (not started; the dispatcher starts them). */
  createUplinks: (settings: Settings) => Promise<Uplink[]>;
}

export class Delivery implements Feature {
  readonly name = 'delivery';
  private readonly options: DeliveryOptions;
  private openOutbox: Outbox | undefined;
  private openSettings: PersistentSettingsStore | undefined;
  private dispatcher: OutboxDispatcher | undefined;
  private uplinkChange: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void)[] = [];
  private discarded = 0;
  private seqGuard: () => SeqGuard | undefined = () => undefined;
  private openRetry: Timer | undefined;

  constructor(options: DeliveryOptions) {
    this.options = options;
  }

  /** The open outbox (after start). */
  get outbox(): Outbox {
    return this.openOutbox ?? notStarted();
  }

  /** The runtime settings, persisted in the outbox's settings table (after start). */
  get settings(): PersistentSettingsStore {
    return this.openSettings ?? notStarted();
  }

  /** Batches held in memory (the disk refused them) that were lost when the outbox closed at stop. */
  get discardedAtStop(): number {
    return this.discarded;
  }

  /** State of each running uplink (none before start or with a local outbox only). */
  states(): UplinkState[] {
    return this.dispatcher?.states() ?? [];
  }

  async start(): Promise<void> {
    const { config, dataDir, identity, bus, clock, logger, notifications } = this.options;
    const gatewayLog = logger.child({ area: 'gateway' });
    // Set when the outbox's database file opens (at once, or later after a full disk), before
    // anything is signed in it (see seq-guard.ts).
    const seq: { guard?: SeqGuard } = {};
    const outbox = Outbox.open(join(dataDir, OUTBOX_FILE), {
      sign: (input, n) => createBatch(identity, input, n, seq.guard?.epoch),
      reserveSeq: (n) => seq.guard?.reserve(n),
      maxBatches: config.outbox.maxBatches,
      clock,
      logger: logger.child({ area: 'outbox' }),
      onDatabaseOpen: (opened) => {
        const seqStart = SeqGuard.open(dataDir, identity.serial, opened, gatewayLog);
        seq.guard = seqStart.guard;
        if (opened.recovered) {
          notifications.raise({
            code: 'outbox_database_replaced',
            message: `egw.db was corrupt (${opened.recovered.reason}); moved to ${opened.recovered.movedTo}, a new one started`,
          });
        }
        if (seqStart.start.newEpoch) {
          const { reason, fromSeq } = seqStart.start.newEpoch;
          notifications.raise({
            code: 'signing_epoch_new',
            message: `signing epoch ${seqStart.start.epoch} began at seq ${fromSeq}: ${reason}`,
          });
        }
        // Opened late (the disk was full at start): the settings stored in it apply from now on.
        this.openSettings?.reloadStored();
      },
    });
    this.openOutbox = outbox;
    this.seqGuard = () => seq.guard;
    this.unsubscribe.push(outbox.onAppend((record) => seq.guard?.committed(record.seq)));
    if (outbox.stats().databaseUnavailable !== undefined) this.retryOpenOnTheClock(outbox);
    // The stored settings are read from the in-memory stand-in until the file opens (reloadStored).
    const settings = new PersistentSettingsStore(
      config,
      { get: (key) => outbox.settings.get(key), put: (key, value) => outbox.settings.put(key, value) },
      gatewayLog,
    );
    this.openSettings = settings;
    const raiseSettingsIgnored = (): void => {
      const reason = settings.ignoredReason();
      if (reason === undefined) return;
      notifications.raise({
        code: 'settings_ignored',
        message: `settings stored through the API are ignored (${reason}); \`egw settings reset\` removes them`,
      });
    };
    raiseSettingsIgnored();
    // The bus hears of a batch only once the outbox committed it (also for batches held and retried).
    this.unsubscribe.push(
      outbox.onAppend((record) =>
        bus.emit('batch', { seq: record.seq, jwt: record.jwt, harvests: Object.keys(record.payload).length }),
      ),
    );
    try {
      await this.startUplinks(settings.get());
    } catch (error) {
      // Settings stored through the API must never keep the gateway from starting: fall back to the
      // config file and environment, which were validated before anything started.
      if (!settings.hasOverlay()) throw error;
      settings.ignoreStored(`the uplinks cannot start with them: ${describeError(error)}`);
      raiseSettingsIgnored();
      await this.startUplinks(settings.get());
    }
    this.unsubscribe.push(
      settings.onChange((next, previous) => {
        if (JSON.stringify([next.ingest, next.mqtt]) === JSON.stringify([previous.ingest, previous.mqtt]))
          return;
        this.uplinkChange = this.uplinkChange
          .then(() => this.dispatcher?.stop())
          .then(() => this.startUplinks(next))
          .catch((error: unknown) =>
            gatewayLog.error({ err: describeError(error) }, 'cannot restart uplinks'),
          );
      }),
    );
  }

  /**
   * Gives the uplinks up to FINAL_DELIVERY_MS for what is still in the outbox (what is left goes out
   * after the restart), then stops them and closes the outbox.
   */
  async stop(): Promise<void> {
    this.unsubscribe.splice(0).forEach((off) => off());
    this.openRetry?.cancel();
    await this.uplinkChange;
    const { clock } = this.options;
    const outbox = this.openOutbox;
    if (outbox && this.states().length > 0) {
      const deadline = clock.monotonicMs() + FINAL_DELIVERY_MS;
      while (outbox.stats().depth > 0 && clock.monotonicMs() < deadline)
        await clock.sleep(50, 'final-delivery');
    }
    try {
      await this.dispatcher?.stop();
    } finally {
      this.dispatcher = undefined;
      if (outbox) this.discarded = outbox.close();
      this.seqGuard()?.close();
    }
  }

  /** While the outbox's database file cannot be opened (full disk), tries again every OPEN_RETRY_MS. */
  private retryOpenOnTheClock(outbox: Outbox): void {
    const attempt = (): void => {
      try {
        if (outbox.retryOpen()) return;
      } catch (error) {
        this.options.logger
          .child({ area: 'outbox' })
          .error({ err: describeError(error) }, 'outbox: opening the database failed');
      }
      this.openRetry = this.options.clock.setTimer('outbox-open-retry', OPEN_RETRY_MS, attempt);
    };
    this.openRetry = this.options.clock.setTimer('outbox-open-retry', OPEN_RETRY_MS, attempt);
  }

  private async startUplinks(current: Settings): Promise<void> {
    const uplinks = await this.options.createUplinks(current);
    const { clock, bus, logger } = this.options;
    this.dispatcher = new OutboxDispatcher({
      outbox: this.outbox,
      uplinks,
      clock,
      bus,
      logger: logger.child({ area: 'uplink' }),
    });
    await this.dispatcher.start();
    logger
      .child({ area: 'gateway' })
      .info(
        { uplinks: uplinks.map((u) => u.name) },
        uplinks.length ? 'uplinks started' : 'local outbox only',
      );
  }
}

function notStarted(): never {
  throw new EgwError('not_started', 'the delivery module has not started (outbox not open)');
}
