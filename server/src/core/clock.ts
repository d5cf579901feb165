/**
 * Time as a replaceable object. Everything that waits or stamps takes a Clock: the SystemClock in
 * production, a ManualClock in tests so hours of schedule run in milliseconds.
 */
import TinyQueue from 'tinyqueue';

/** A pending named timer; cancel() is idempotent. */
export interface Timer {
  readonly name: string;
  cancel(): void;
}

export interface Clock {
  /** Wall-clock time, ms since the Unix epoch (for stamping readings). */
  nowMs(): number;
  /** Monotonic time in ms (for scheduling and measuring durations); never goes backwards. */
  monotonicMs(): number;
  /** Calls fn once after delayMs (monotonic). The name shows up in logs and debugging. */
  setTimer(name: string, delayMs: number, fn: () => void): Timer;
  /** Resolves after ms; rejects with the signal's reason if aborted first. */
  sleep(ms: number, name?: string, signal?: AbortSignal): Promise<void>;
}

function abortableSleep(clock: Clock, ms: number, name: string, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      timer.cancel();
      reject(signal?.reason);
    };
    const timer = clock.setTimer(name, ms, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The real clock: performance.now() for monotonic time, Date for wall time. */
export class SystemClock implements Clock {
  nowMs(): number {
    return Date.now();
  }

  monotonicMs(): number {
    return performance.now();
  }

  setTimer(name: string, delayMs: number, fn: () => void): Timer {
    const handle = setTimeout(fn, Math.max(0, delayMs));
    return {
      name,
      cancel: () => clearTimeout(handle),
    };
  }

  sleep(ms: number, name = 'sleep', signal?: AbortSignal): Promise<void> {
    return abortableSleep(this, ms, name, signal);
  }
}

interface ManualTimer {
  name: string;
  dueMs: number;
  order: number;
  fn: () => void;
  cancelled: boolean;
}

/** Lets pending promise callbacks (microtasks and one macrotask turn) run, so async tasks make progress. */
export function flushAsync(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A virtual clock for tests. Time only moves through advance()/advanceTo(); timers fire in due order,
 * and after each firing pending promise callbacks are drained so async work started by a timer can
 * settle before the next one fires.
 */
export class ManualClock implements Clock {
  private monotonic = 0;
  private order = 0;
  private readonly timers = new TinyQueue<ManualTimer>([], (a, b) => a.dueMs - b.dueMs || a.order - b.order);

  private readonly wallStartMs;
  /** @param wallStartMs wall-clock time at monotonic 0 (default 2026-01-01T00:00:00Z). */
  constructor(wallStartMs = Date.UTC(2026, 0, 1)) {
    this.wallStartMs = wallStartMs;
  }

  nowMs(): number {
    return this.wallStartMs + this.monotonic;
  }

  monotonicMs(): number {
    return this.monotonic;
  }

  setTimer(name: string, delayMs: number, fn: () => void): Timer {
    const timer: ManualTimer = {
      name,
      dueMs: this.monotonic + Math.max(0, delayMs),
      order: this.order++,
      fn,
      cancelled: false,
    };
    this.timers.push(timer);
    return {
      name,
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  sleep(ms: number, name = 'sleep', signal?: AbortSignal): Promise<void> {
    return abortableSleep(this, ms, name, signal);
  }

  /** Names of timers still pending, in due order. */
  pendingTimers(): string[] {
    return this.timers.data
      .filter((t) => !t.cancelled)
      .sort((a, b) => a.dueMs - b.dueMs || a.order - b.order)
      .map((t) => t.name);
  }

  /**
   * Moves time forward by ms, firing every timer due on the way in order.
   * @param settle whether to drain async callbacks after each timer (default true; false is faster
   *   for purely synchronous timer work such as 10⁶-tick cadence tests).
   */
  async advance(ms: number, settle = true): Promise<void> {
    await this.advanceTo(this.monotonic + ms, settle);
  }

  /** Moves monotonic time to targetMs (never backwards), firing due timers in order. */
  async advanceTo(targetMs: number, settle = true): Promise<void> {
    if (settle) await flushAsync();
    for (;;) {
      const next = this.timers.peek();
      if (!next || next.dueMs > targetMs) break;
      this.timers.pop();
      if (next.cancelled) continue;
      this.monotonic = Math.max(this.monotonic, next.dueMs);
      next.fn();
      if (settle) await flushAsync();
    }
    this.monotonic = Math.max(this.monotonic, targetMs);
  }
}
