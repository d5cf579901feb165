/**
 * A household's consumption: a base load with morning and evening peaks, plus appliances (kettle,
 * oven, washing machine…) switching on at random for a few minutes.
 */
import type { Prng } from './prng.ts';

interface Appliance {
  powerW: number;
  remainingS: number;
}

/** The power a house draws, W. */
export class HouseLoad {
  private readonly prng: Prng;
  private readonly baseW;
  private readonly meanApplianceIntervalS;
  private readonly appliances: Appliance[] = [];

  constructor(
    prng: Prng,
    baseW = 250,
    /** Mean time between appliance starts, s. */
    meanApplianceIntervalS = 900,
  ) {
    this.prng = prng;
    this.baseW = baseW;
    this.meanApplianceIntervalS = meanApplianceIntervalS;
  }

  /** Moves dtS seconds on. */
  step(dtS: number): void {
    for (const appliance of this.appliances) appliance.remainingS -= dtS;
    for (let i = this.appliances.length - 1; i >= 0; i--) {
      if (this.appliances[i]!.remainingS <= 0) this.appliances.splice(i, 1);
    }
    if (this.prng.chance(dtS / this.meanApplianceIntervalS)) {
      this.appliances.push({ powerW: this.prng.between(400, 2500), remainingS: this.prng.between(60, 1800) });
    }
  }

  /** Power drawn at a local solar hour, W. */
  powerW(hour: number): number {
    const peaks = 350 * Math.exp(-(((hour - 7.5) / 1.2) ** 2)) + 700 * Math.exp(-(((hour - 19) / 2) ** 2));
    return this.baseW + peaks + this.appliances.reduce((sum, a) => sum + a.powerW, 0);
  }
}
