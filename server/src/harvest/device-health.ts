/**
 * Backoff of one device shared by its frequency and harvest tasks: after a failed read both skip their
 * slots (no I/O) until the backoff ends, so a dead device costs nothing and never stacks requests.
 * The backoff is capped (default 5 s) so a device that comes back is read again within 10 s.
 */
import type { Clock } from '../core/clock.ts';
import { Backoff } from '../core/backoff.ts';

export interface DeviceHealthOptions {
  /** First backoff after a failure, ms (default 500). */
  initialBackoffMs?: number;
  /** Upper bound of the backoff, ms (default 5000). */
  maxBackoffMs?: number;
  /** Share of each delay randomised downwards so devices that failed together retry apart (default 0.2). */
  jitter?: number;
}

/** What changed after a read outcome: the new state when it changed, else undefined. */
export type HealthTransition = 'connected' | 'backoff' | undefined;

/** Tracks consecutive failures of one device and the monotonic time its backoff ends. */
export class DeviceHealth {
  private failures = 0;
  private backoffUntilMs = 0;
  private ok: boolean | undefined;
  private readonly backoff: Backoff;
  /** Last error message, for the API and logs. */
  private readonly clock: Clock;
  lastError: string | undefined;

  constructor(clock: Clock, options: DeviceHealthOptions = {}) {
    this.clock = clock;
    this.backoff = new Backoff({
      initialMs: options.initialBackoffMs ?? 500,
      maxMs: options.maxBackoffMs ?? 5000,
      jitter: options.jitter ?? 0.2,
    });
  }

  /** Whether a read may be tried now (false while backing off). */
  mayRead(): boolean {
    return this.clock.monotonicMs() >= this.backoffUntilMs;
  }

  /** Consecutive failed reads. */
  get consecutiveFailures(): number {
    return this.failures;
  }

  /** Records a successful read; returns 'connected' when the device just (re)appeared. */
  succeeded(): HealthTransition {
    this.failures = 0;
    this.backoffUntilMs = 0;
    this.backoff.reset();
    this.lastError = undefined;
    if (this.ok === true) return undefined;
    this.ok = true;
    return 'connected';
  }

  /** Records a failed read and starts (or doubles) the backoff; returns 'backoff' on the first failure. */
  failed(message: string): HealthTransition {
    this.failures++;
    this.lastError = message;
    this.backoffUntilMs = this.clock.monotonicMs() + this.backoff.next();
    if (this.ok === false) return undefined;
    this.ok = false;
    return 'backoff';
  }
}
