/**
 * Counts failed token checks per remote address in a sliding window. Past the limit the address is
 * refused (429 with Retry-After) until its oldest failure leaves the window. The table is bounded.
 */
import type { Clock } from '../core/clock.ts';

export interface AuthRateLimitOptions {
  /** Failures allowed per window and address (default 10). */
  maxFailures: number;
  /** Window length, ms (default 60 000). */
  windowMs: number;
  /** Most addresses tracked at once; the stalest is forgotten first (default 10 000). */
  maxAddresses?: number;
}

/** Failed-auth bookkeeping per remote address. */
export class AuthRateLimiter {
  private readonly clock: Clock;
  private readonly options: AuthRateLimitOptions;
  private readonly failures = new Map<string, number[]>();

  constructor(clock: Clock, options: AuthRateLimitOptions) {
    this.clock = clock;
    this.options = options;
  }

  private recent(address: string): number[] {
    const now = this.clock.monotonicMs();
    const list = (this.failures.get(address) ?? []).filter((t) => now - t < this.options.windowMs);
    if (list.length === 0) this.failures.delete(address);
    else this.failures.set(address, list);
    return list;
  }

  /** Seconds the address must wait, or 0 when it may try. */
  retryAfterS(address: string): number {
    const list = this.recent(address);
    if (list.length < this.options.maxFailures) return 0;
    const oldest = list[list.length - this.options.maxFailures] ?? this.clock.monotonicMs();
    return Math.max(1, Math.ceil((oldest + this.options.windowMs - this.clock.monotonicMs()) / 1000));
  }

  /** Records one failed attempt. */
  fail(address: string): void {
    const list = this.recent(address);
    // Keep at most maxFailures timestamps: enough to know when the address is allowed again.
    list.push(this.clock.monotonicMs());
    if (list.length > this.options.maxFailures) list.shift();
    this.failures.delete(address);
    this.failures.set(address, list);
    const max = this.options.maxAddresses ?? 10_000;
    if (this.failures.size > max) {
      const stalest = this.failures.keys().next().value;
      if (stalest !== undefined) this.failures.delete(stalest);
    }
  }
}
