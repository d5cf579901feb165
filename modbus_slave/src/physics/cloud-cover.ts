/**
 * Passing clouds: clear spells and cloud shadows of random length, the light factor easing towards
 * each new target so power ramps like under a real cloud edge rather than jumping.
 */
import type { Prng } from './prng.ts';

/** How cloudy a site is; the defaults give a mostly sunny day with a passing cloud every few minutes. */
export interface CloudOptions {
  /** Mean clear spell, s. */
  meanClearS?: number;
  /** Mean cloud shadow, s. */
  meanCloudS?: number;
  /** Light factor range under a cloud. */
  shadeMin?: number;
  shadeMax?: number;
  /** Time constant of the edge, s. */
  edgeS?: number;
}

/** The fraction of clear-sky light reaching the panels (0–1). */
export class CloudCover {
  private factorNow = 1;
  private target = 1;
  private shaded = false;
  private remainingS: number;
  private readonly prng: Prng;
  private readonly options: Required<CloudOptions>;

  constructor(prng: Prng, options: CloudOptions = {}) {
    this.prng = prng;
    this.options = { meanClearS: 600, meanCloudS: 90, shadeMin: 0.25, shadeMax: 0.7, edgeS: 15, ...options };
    this.remainingS = this.exponential(this.options.meanClearS);
  }

  /** Current light factor, 0–1. */
  factor(): number {
    return this.factorNow;
  }

  /** Moves dtS seconds on. */
  step(dtS: number): void {
    this.remainingS -= dtS;
    if (this.remainingS <= 0) {
      this.shaded = !this.shaded;
      this.target = this.shaded ? this.prng.between(this.options.shadeMin, this.options.shadeMax) : 1;
      this.remainingS = this.exponential(this.shaded ? this.options.meanCloudS : this.options.meanClearS);
    }
    this.factorNow += (this.target - this.factorNow) * (1 - Math.exp(-dtS / this.options.edgeS));
  }

  private exponential(meanS: number): number {
    return -meanS * Math.log(Math.max(this.prng.next(), 1e-9));
  }
}
