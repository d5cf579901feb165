/**
 * Exponential backoff with jitter for retrying device reads and uplink deliveries. The k-th delay is
 * min(maxMs, initialMs·factor^k), reduced by a random share of up to `jitter` of itself so that many
 * gateways (or devices) that failed together do not retry in lock-step.
 */

export interface BackoffOptions {
  /** First delay, ms (before jitter). */
  initialMs: number;
  /** Ceiling for any delay, ms. */
  maxMs: number;
  /** Growth per attempt (default 2). */
  factor?: number;
  /** Share of each delay that is randomised, 0 (none) to 1 (full jitter); default 0.2. */
  jitter?: number;
  /** Uniform random source in [0, 1); injectable for tests. */
  random?: () => number;
}

/** Stateful delay sequence: next() for each failed attempt, reset() after a success. */
export class Backoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private readonly jitter: number;
  private readonly random: () => number;
  private attempt = 0;

  constructor(options: BackoffOptions) {
    const { initialMs, maxMs, factor = 2, jitter = 0.2, random = Math.random } = options;
    if (!(initialMs > 0)) throw new RangeError(`backoff initialMs ${initialMs}: must be > 0`);
    if (!(maxMs >= initialMs))
      throw new RangeError(`backoff maxMs ${maxMs}: must be ≥ initialMs ${initialMs}`);
    if (!(factor >= 1)) throw new RangeError(`backoff factor ${factor}: must be ≥ 1`);
    if (!(jitter >= 0 && jitter <= 1)) throw new RangeError(`backoff jitter ${jitter}: must be from 0 to 1`);
    this.initialMs = initialMs;
    this.maxMs = maxMs;
    this.factor = factor;
    this.jitter = jitter;
    this.random = random;
  }

  /** Failed attempts since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  /** The delay before the next retry, ms, in [base·(1 − jitter), base] with base ≤ maxMs. */
  next(): number {
    // factor ** attempt may reach Infinity after ~1000 attempts; Math.min still yields maxMs then.
    const base = Math.min(this.maxMs, this.initialMs * this.factor ** this.attempt);
    this.attempt++;
    return base * (1 - this.jitter * this.random());
  }

  /** Starts over from initialMs (call after a success). */
  reset(): void {
    this.attempt = 0;
  }
}
