/**
 * When link-layer packets cross the air. Tests use the immediate link (delivery in order, at once);
 * the `ble` bench uses a timed link: connection events every `intervalMs`, at most `packetsPerEvent`
 * packets each way per event per connection, a packet queued between events waits for the next one.
 * That is the model the bench states; it ignores retransmissions and radio errors.
 */
import { SystemClock, type Clock, type Timer } from '../../../server/src/core/clock.ts';

export type Direction = 'toCentral' | 'toPeripheral';

/** Carries packets of one controller. */
export interface LinkModel {
  /** Connection interval the controller reports in LE Connection Complete, ms. */
  readonly intervalMs: number;
  /** Delivers a packet of the connection in order with the others of its direction. */
  carry(handle: number, direction: Direction, deliver: () => void): void;
  /** Runs fn once every packet queued for the connection has been delivered. */
  afterPending(handle: number, fn: () => void): void;
  /** The connection is gone: drop what was queued for it. */
  forget(handle: number): void;
  stop(): void;
}

/** Delivers at once (tests: behaviour, not timing). */
export const IMMEDIATE_LINK: LinkModel = {
  intervalMs: 30,
  carry: (_handle, _direction, deliver) => deliver(),
  afterPending: (_handle, fn) => fn(),
  forget: () => undefined,
  stop: () => undefined,
};

interface Queues {
  toCentral: (() => void)[];
  toPeripheral: (() => void)[];
  after: (() => void)[];
}

/** Connection events on a clock (the bench). */
export class TimedLink implements LinkModel {
  readonly intervalMs: number;
  readonly packetsPerEvent: number;
  /** Connection events that carried at least one packet. */
  busyEvents = 0;
  private readonly clock: Clock;
  private readonly queues = new Map<number, Queues>();
  private readonly startMs: number;
  private timer?: Timer;

  constructor(options: { intervalMs: number; packetsPerEvent: number; clock?: Clock }) {
    this.intervalMs = options.intervalMs;
    this.packetsPerEvent = options.packetsPerEvent;
    this.clock = options.clock ?? new SystemClock();
    this.startMs = this.clock.monotonicMs();
  }

  carry(handle: number, direction: Direction, deliver: () => void): void {
    this.queuesOf(handle)[direction].push(deliver);
    this.schedule();
  }

  afterPending(handle: number, fn: () => void): void {
    const q = this.queuesOf(handle);
    if (q.toCentral.length === 0 && q.toPeripheral.length === 0) fn();
    else q.after.push(fn);
  }

  forget(handle: number): void {
    this.queues.delete(handle);
  }

  stop(): void {
    this.timer?.cancel();
    this.queues.clear();
  }

  private queuesOf(handle: number): Queues {
    let q = this.queues.get(handle);
    if (!q) this.queues.set(handle, (q = { toCentral: [], toPeripheral: [], after: [] }));
    return q;
  }

  private schedule(): void {
    if (this.timer) return;
    const sinceStart = this.clock.monotonicMs() - this.startMs;
    const nextEventMs = (Math.floor(sinceStart / this.intervalMs) + 1) * this.intervalMs;
    this.timer = this.clock.setTimer('ble-connection-event', nextEventMs - sinceStart, () => {
      this.timer = undefined;
      this.event();
    });
  }

  private event(): void {
    let carried = false;
    let pending = false;
    for (const q of [...this.queues.values()]) {
      for (const direction of ['toPeripheral', 'toCentral'] as const) {
        for (const deliver of q[direction].splice(0, this.packetsPerEvent)) {
          carried = true;
          deliver();
        }
      }
      if (q.toCentral.length === 0 && q.toPeripheral.length === 0) {
        for (const fn of q.after.splice(0)) fn();
      } else pending = true;
    }
    if (carried) this.busyEvents++;
    if (pending) this.schedule();
  }
}
