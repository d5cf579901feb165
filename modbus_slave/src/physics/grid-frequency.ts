/**
 * Grid frequency as a real 10 Hz sampler sees it: a slow mean-reverting wander of a few 10 mHz, now
 * and then a step of 0.1–0.2 Hz (a plant tripping) that primary control pulls back over seconds,
 * and a little measurement noise; always within nominal ± 0.2 Hz.
 */
import type { Prng } from './prng.ts';

/** Tunables; the defaults suit a 50 Hz continental grid. */
export interface GridFrequencyOptions {
  nominalHz?: number;
  /** Bound of the slow wander, Hz. */
  wanderHz?: number;
  /** Mean time between step events, s. */
  meanEventIntervalS?: number;
  /** Recovery time constant after a step, s. */
  recoveryS?: number;
}

/** Hard bound around nominal, Hz. */
export const FREQUENCY_BOUND_HZ = 0.2;

/** A bounded random walk of the grid frequency. */
export class GridFrequency {
  private wander = 0;
  private event = 0;
  private noise = 0;
  private readonly nominalHz: number;
  private readonly wanderHz: number;
  private readonly eventRatePerS: number;
  private readonly prng: Prng;
  private readonly recoveryS: number;

  constructor(prng: Prng, options: GridFrequencyOptions = {}) {
    this.prng = prng;
    this.nominalHz = options.nominalHz ?? 50;
    this.wanderHz = options.wanderHz ?? 0.05;
    this.eventRatePerS = 1 / (options.meanEventIntervalS ?? 120);
    this.recoveryS = options.recoveryS ?? 15;
  }

  /** Current frequency, Hz. */
  hz(): number {
    const deviation = this.wander + this.event + this.noise;
    return this.nominalHz + Math.max(-FREQUENCY_BOUND_HZ, Math.min(FREQUENCY_BOUND_HZ, deviation));
  }

  /** Moves dtS seconds on. */
  step(dtS: number): void {
    // Ornstein–Uhlenbeck wander: stationary spread about wanderHz / 2.5, 30 s memory.
    const tauS = 30;
    const sigma = this.wanderHz / 2.5 / Math.sqrt(tauS / 2);
    this.wander += (-this.wander / tauS) * dtS + sigma * Math.sqrt(dtS) * this.prng.normal();
    this.wander = Math.max(-this.wanderHz, Math.min(this.wanderHz, this.wander));
    this.event *= Math.exp(-dtS / this.recoveryS);
    if (this.prng.chance(this.eventRatePerS * dtS)) {
      const size = this.prng.between(0.1, FREQUENCY_BOUND_HZ);
      this.event = this.prng.chance(0.5) ? size : -size;
    }
    this.noise = 0.002 * this.prng.normal();
  }
}
