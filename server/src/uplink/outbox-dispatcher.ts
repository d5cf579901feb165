/**
 * Moves batches from the outbox to every enabled uplink: oldest first, up to `window` deliveries in
 * flight per uplink (so a backlog drains at network speed, not one round trip per batch), each
 * acknowledged in the outbox as soon as the uplink confirms it. On a failure the uplink stops taking
 * new batches, lets the ones in flight settle, waits (exponential backoff with jitter, 1 s → 5 min)
 * and starts again from its oldest unacknowledged batch. Wakes when a batch is appended.
 *
 * The dispatcher is the one owner of each uplink's state: it counts acks and retries, folds in the
 * link changes a connected uplink (MQTT) reports, and emits `uplink-state` once per change.
 */
import { setMaxListeners } from 'node:events';
import type { Clock, Timer } from '../core/clock.ts';
import { CancelledError, describeError } from '../core/errors.ts';
import type { EventBus } from '../core/event-bus.ts';
import { silentLogger, type Logger } from '../core/logger.ts';
import { Backoff, type BackoffOptions } from '../core/backoff.ts';
import type { BatchRecord } from '../outbox/batch-record.ts';
import type { UplinkState } from './uplink.ts';
import type { Uplink, UplinkLink } from './uplink.ts';

/** What the dispatcher needs of the outbox (the real Outbox satisfies it). */
export interface DispatchSource {
  pending(uplink: string, limit: number, afterSeq?: number): BatchRecord[];
  ackMany(seqs: number[], uplink: string): boolean;
  setUplinks(names: string[]): void;
  onAppend(listener: (record: BatchRecord) => void): () => void;
}

export interface OutboxDispatcherOptions {
  outbox: DispatchSource;
  uplinks: Uplink[];
  clock: Clock;
  logger?: Logger;
  /** Receives 'uplink-state' events when an uplink's state changes. */
  bus?: EventBus;
  /** Deliveries in flight per uplink (default 8; 1 = strictly one after the other). */
  window?: number;
  /** Retry delays; default 1 s doubling to 5 min, 20 % jitter. */
  backoff?: Partial<BackoffOptions>;
}

/** Per-uplink delivery lane. */
interface Lane {
  uplink: Uplink;
  backoff: Backoff;
  inFlight: Map<number, Promise<void>>;
  /** Highest seq handed to the uplink since the last (re)start; pending() continues after it. */
  cursor: number;
  /** Confirmed seqs not yet written to the outbox (written together, one transaction per turn). */
  acks: number[];
  flushScheduled: boolean;
  /** A delivery failed: take no new batches until the retry timer fires. */
  blocked: boolean;
  retryTimer?: Timer;
  /** While a long backoff runs: the next probe of the far end (see Uplink.probe). */
  probeTimer?: Timer;
  state: UplinkState;
  /** The uplink's connection (always up for connectionless uplinks). */
  link: UplinkLink['state'];
  unwatch?: () => void;
}

/** While a backoff longer than this runs, the far end is probed this often, ms. */
export const PROBE_INTERVAL_MS = 5000;

/** Delivers outbox batches to the uplinks; start() once, stop() on shutdown. */
export class OutboxDispatcher {
  private readonly lanes: Lane[];
  private readonly window: number;
  private readonly logger: Logger;
  private readonly abort = new AbortController();
  private unsubscribe?: () => void;
  private readonly options: OutboxDispatcherOptions;
  private running = false;

  constructor(options: OutboxDispatcherOptions) {
    this.options = options;
    this.window = Math.max(1, Math.floor(options.window ?? 8));
    this.logger = options.logger ?? silentLogger();
    // Every delivery in flight listens on the one stop signal; that is by design, not a leak.
    setMaxListeners(this.window * Math.max(1, options.uplinks.length) + 10, this.abort.signal);
    this.lanes = options.uplinks.map((uplink) => ({
      uplink,
      backoff: new Backoff({ initialMs: 1000, maxMs: 300_000, jitter: 0.2, ...options.backoff }),
      inFlight: new Map(),
      acks: [],
      flushScheduled: false,
      cursor: 0,
      blocked: false,
      link: uplink.link?.().state ?? 'up',
      state: {
        name: uplink.name,
        state: uplink.link?.().state === 'connecting' ? 'connecting' : 'ok',
        since: options.clock.nowMs(),
        acked: 0,
        retries: 0,
      },
    }));
  }

  /** Registers the uplinks with the outbox, starts them and begins delivering. */
  async start(): Promise<void> {
    this.running = true;
    this.options.outbox.setUplinks(this.lanes.map((l) => l.uplink.name));
    this.unsubscribe = this.options.outbox.onAppend(() => this.wake());
    for (const lane of this.lanes) {
      lane.unwatch = lane.uplink.onLinkChange?.((link) => this.linkChanged(lane, link));
    }
    await Promise.all(
      this.lanes.map(async (lane) => {
        try {
          await lane.uplink.start();
        } catch (error) {
          this.logger.warn({ uplink: lane.uplink.name, err: describeError(error) }, 'uplink did not start');
        }
      }),
    );
    this.wake();
  }

  /** Stops delivering, aborts deliveries in flight, waits for them and stops the uplinks. */
  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.abort.abort(new CancelledError('dispatcher stopped'));
    for (const lane of this.lanes) {
      lane.retryTimer?.cancel();
      lane.probeTimer?.cancel();
    }
    await Promise.allSettled(this.lanes.flatMap((l) => [...l.inFlight.values()]));
    for (const lane of this.lanes) this.flushAcks(lane);
    await Promise.allSettled(this.lanes.map((l) => l.uplink.stop()));
    for (const lane of this.lanes) {
      lane.unwatch?.();
      this.setState(lane, 'disabled');
    }
  }

  /** Looks for new batches now (called on append; uplinks in backoff keep waiting). */
  wake(): void {
    for (const lane of this.lanes) this.pump(lane);
  }

  /** Delivery state of each uplink, for the API and /metrics. */
  states(): UplinkState[] {
    return this.lanes.map((lane) => ({ ...lane.state }));
  }

  /** Deliveries currently in flight for an uplink (for tests and stats). */
  inFlight(name: string): number[] {
    return [...(this.lanes.find((l) => l.uplink.name === name)?.inFlight.keys() ?? [])];
  }

  private pump(lane: Lane): void {
    if (!this.running || lane.blocked) return;
    const free = this.window - lane.inFlight.size;
    if (free <= 0) return;
    for (const batch of this.options.outbox.pending(lane.uplink.name, free, lane.cursor)) {
      lane.cursor = batch.seq;
      this.deliver(lane, batch);
    }
  }

  private deliver(lane: Lane, batch: BatchRecord): void {
    const attempt = Promise.resolve()
      .then(() => lane.uplink.deliver(batch, this.abort.signal))
      .then(
        () => {
          lane.inFlight.delete(batch.seq);
          if (!this.running) return;
          lane.acks.push(batch.seq);
          lane.state.acked++;
          lane.backoff.reset();
          if (!lane.blocked) this.setState(lane, 'ok');
        },
        (error: unknown) => {
          lane.inFlight.delete(batch.seq);
          if (!this.running) return;
          lane.state.retries++;
          lane.blocked = true;
          this.setState(lane, 'retrying', `seq ${batch.seq}: ${describeError(error)}`);
        },
      )
      .then(() => this.settled(lane));
    lane.inFlight.set(batch.seq, attempt);
  }

  /** Writes the confirmed acks of a lane in one transaction (a turn's worth of completions). */
  private flushAcks(lane: Lane): void {
    if (lane.acks.length === 0) return;
    const seqs = lane.acks.sort((a, b) => a - b);
    lane.acks = [];
    try {
      this.options.outbox.ackMany(seqs, lane.uplink.name);
    } catch (error) {
      // E.g. the outbox was closed first on shutdown: the batches stay pending and go out again later.
      this.logger.warn(
        { uplink: lane.uplink.name, count: seqs.length, err: describeError(error) },
        'acks not recorded',
      );
    }
  }

  /** After each delivery: arm the retry once the window is empty, else yield and fill the window again. */
  private settled(lane: Lane): void {
    if (!this.running) return;
    if (!lane.flushScheduled) {
      // First completion of this turn: write it (and any that complete in the same turn) on the next one.
      lane.flushScheduled = true;
      setImmediate(() => {
        lane.flushScheduled = false;
        this.flushAcks(lane);
        this.pump(lane);
      });
    }
    if (lane.blocked) {
      if (lane.inFlight.size > 0 || lane.retryTimer) return;
      const delayMs = lane.backoff.next();
      this.logger.warn(
        { uplink: lane.uplink.name, retryInMs: Math.round(delayMs), err: lane.state.lastError },
        'uplink delivery failed; retrying later',
      );
      const retry = (): void => {
        lane.retryTimer?.cancel();
        lane.retryTimer = undefined;
        lane.probeTimer?.cancel();
        lane.probeTimer = undefined;
        lane.blocked = false;
        this.flushAcks(lane); // before the cursor goes back, so a confirmed batch is not sent again
        lane.cursor = 0; // start again from the oldest batch this uplink has not acknowledged
        this.pump(lane);
      };
      lane.retryTimer = this.options.clock.setTimer(`uplink-retry-${lane.uplink.name}`, delayMs, retry);
      if (lane.uplink.probe && delayMs > PROBE_INTERVAL_MS) this.armProbe(lane, retry);
      return;
    }
    // The ack flush above yields a macrotask (sampling timers and the API run between deliveries of a
    // long backlog) and then fills the window again.
  }

  /** Probes the far end every PROBE_INTERVAL_MS until it answers (then retries at once) or the retry is due. */
  private armProbe(lane: Lane, retry: () => void): void {
    lane.probeTimer = this.options.clock.setTimer(
      `uplink-probe-${lane.uplink.name}`,
      PROBE_INTERVAL_MS,
      () => {
        lane.probeTimer = undefined;
        const again = (): void => {
          if (this.running && lane.retryTimer) this.armProbe(lane, retry);
        };
        lane.uplink.probe!(this.abort.signal).then((answers) => {
          if (!this.running || !lane.retryTimer) return;
          if (answers) retry();
          else again();
        }, again);
      },
    );
  }

  /** A connected uplink's link changed: a lost link is `retrying`, a new one `connecting`. */
  private linkChanged(lane: Lane, link: UplinkLink): void {
    lane.link = link.state;
    if (!this.running) return;
    if (link.state === 'down') this.setState(lane, 'retrying', link.lastError ?? 'connection lost');
    else if (link.state === 'connecting') this.setState(lane, 'connecting');
    // Back up: ok unless a failed delivery still waits for its retry (that one decides).
    else if (link.state === 'up' && !lane.blocked) this.setState(lane, 'ok');
  }

  /** Sets a lane's state and emits `uplink-state` when it changed; `since` marks the change. */
  private setState(lane: Lane, state: UplinkState['state'], lastError?: string): void {
    // The last error stays after recovery (the API shows what went wrong last).
    if (lastError !== undefined) lane.state.lastError = lastError;
    if (state === lane.state.state) return;
    lane.state.state = state;
    lane.state.since = this.options.clock.nowMs();
    this.options.bus?.emit('uplink-state', {
      uplink: lane.uplink.name,
      state,
      since: lane.state.since,
      ...(state === 'retrying' && lane.state.lastError ? { lastError: lane.state.lastError } : {}),
    });
  }
}
