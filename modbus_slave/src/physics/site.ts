/**
 * One simulated site: the sun, clouds and grid frequency every device shares, and the devices on it.
 * Pure and deterministic: the same seed, devices and advanceTo() times give the same values.
 */
import { CloudCover } from './cloud-cover.ts';
import { GridFrequency } from './grid-frequency.ts';
import { HybridModel, type HybridOptions } from './hybrid-model.ts';
import { MeterModel, type MeterOptions } from './meter-model.ts';
import { Prng } from './prng.ts';
import { PvInverterModel, type PvInverterOptions } from './pv-inverter-model.ts';
import type { SiteConditions } from './sim-values.ts';
import { clearSkyIrradianceWm2, solarHour, sunElevationDeg } from './sun.ts';

/** Where and when the site is. */
export interface SiteOptions {
  seed: number;
  latitudeDeg: number;
  longitudeDeg?: number;
  /** 50 or 60. */
  nominalHz?: number;
  /** Simulated wall time at the start, ms since epoch. */
  startTimeMs: number;
  /** Integration step, s (default 0.1 so 10 Hz frequency samples differ). */
  stepS?: number;
  /**
   * Simulated seconds of grid-frequency dynamics per simulated second (default 1). The simulator
   * passes 1/speed so the frequency moves at real pace for a 10 Hz sampler even when the sun is sped up.
   */
  frequencyTimeScale?: number;
  /** Cap on steps per advance; longer jumps take larger steps so a huge speed never stalls. */
  maxStepsPerAdvance?: number;
}

/** Shared conditions and the devices of one site. */
export class Site {
  private nowMs: number;
  private readonly prng: Prng;
  private readonly clouds: CloudCover;
  private readonly frequency: GridFrequency;
  private readonly inverters: PvInverterModel[] = [];
  private readonly meters: MeterModel[] = [];
  private readonly hybrids: HybridModel[] = [];
  private readonly options: SiteOptions;
  private conditionsNow: SiteConditions;

  constructor(options: SiteOptions) {
    this.options = options;
    this.nowMs = options.startTimeMs;
    this.prng = new Prng(options.seed);
    this.clouds = new CloudCover(this.prng.fork());
    this.frequency = new GridFrequency(this.prng.fork(), { nominalHz: options.nominalHz ?? 50 });
    this.conditionsNow = this.measure();
  }

  /** Adds an inverter with its own random stream (so order of addition, not timing, decides). */
  addInverter(options: PvInverterOptions, prng: Prng = this.prng.fork()): PvInverterModel {
    const inverter = new PvInverterModel(options, prng);
    inverter.step(0, this.conditionsNow);
    this.inverters.push(inverter);
    return inverter;
  }

  /**
   * Adds a hybrid inverter with battery and internal meter: its own house behind its own grid
   * connection (the site's plain meters do not see it). `prng` gives the device its own seed.
   */
  addHybrid(options: HybridOptions, prng: Prng = this.prng.fork()): HybridModel {
    const hybrid = new HybridModel({ longitudeDeg: this.options.longitudeDeg, ...options }, prng);
    hybrid.step(0, this.conditionsNow);
    this.hybrids.push(hybrid);
    return hybrid;
  }

  /** Adds a grid meter seeing the house load minus every inverter of the site. */
  addMeter(options: MeterOptions, prng: Prng = this.prng.fork()): MeterModel {
    const meter = new MeterModel({ longitudeDeg: this.options.longitudeDeg, ...options }, prng);
    meter.step(0, this.conditionsNow, this.pvPowerW());
    this.meters.push(meter);
    return meter;
  }

  /** Simulated wall time, ms. */
  timeMs(): number {
    return this.nowMs;
  }

  /** The shared conditions now. */
  conditions(): SiteConditions {
    return this.conditionsNow;
  }

  /** Moves simulated time forward to timeMs (never backwards), stepping every device. */
  advanceTo(timeMs: number): void {
    const totalS = (timeMs - this.nowMs) / 1000;
    if (totalS <= 0) return;
    const baseStepS = this.options.stepS ?? 0.1;
    const steps = Math.min(Math.ceil(totalS / baseStepS), this.options.maxStepsPerAdvance ?? 5000);
    const dtS = totalS / steps;
    for (let i = 0; i < steps; i++) {
      this.nowMs += dtS * 1000;
      this.clouds.step(dtS);
      this.frequency.step(dtS * (this.options.frequencyTimeScale ?? 1));
      this.conditionsNow = this.measure();
      for (const inverter of this.inverters) inverter.step(dtS, this.conditionsNow);
      for (const hybrid of this.hybrids) hybrid.step(dtS, this.conditionsNow);
      const pvW = this.pvPowerW();
      for (const meter of this.meters) meter.step(dtS, this.conditionsNow, pvW);
    }
    this.nowMs = timeMs;
  }

  private pvPowerW(): number {
    // A meter alone on a site still sees a typical 5 kW roof, so import and export both happen.
    if (this.inverters.length === 0) return 5000 * 1.1 * this.conditionsNow.lightFactor * 0.96;
    return this.inverters.reduce((sum, inverter) => sum + inverter.powerW(), 0);
  }

  private measure(): SiteConditions {
    const elevationDeg = sunElevationDeg(
      this.nowMs,
      this.options.latitudeDeg,
      this.options.longitudeDeg ?? 0,
    );
    const hour = solarHour(this.nowMs, this.options.longitudeDeg ?? 0);
    const nominalHz = this.options.nominalHz ?? 50;
    return {
      timeMs: this.nowMs,
      lightFactor: (clearSkyIrradianceWm2(elevationDeg) / 1000) * this.clouds.factor(),
      gridFrequencyHz: this.frequency.hz(),
      ambientC: 14 + 8 * Math.sin((Math.PI * (hour - 9)) / 12),
      nominalVoltageV: nominalHz === 60 ? 120 : 230,
    };
  }
}
