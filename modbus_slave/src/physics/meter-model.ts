/**
 * A grid meter at the house connection: grid power = house load − PV (positive = import), split over
 * the phases with fixed shares, import and export energy counters that integrate it.
 */
import type { Prng } from './prng.ts';
import type { SimValues, SiteConditions } from './sim-values.ts';
import { HouseLoad } from './house-load.ts';
import { solarHour } from './sun.ts';

/** Options of one meter. */
export interface MeterOptions {
  phases: number;
  longitudeDeg?: number;
  importWh?: number;
  exportWh?: number;
}

/** One simulated grid meter. */
export class MeterModel {
  private readonly load: HouseLoad;
  private readonly share: number[];
  private readonly offsetV: number[];
  private gridW = 0;
  private importWh: number;
  private exportWh: number;
  private readonly options: MeterOptions;
  private site: SiteConditions | undefined;

  constructor(options: MeterOptions, prng: Prng) {
    this.options = options;
    this.load = new HouseLoad(prng.fork());
    const weights = Array.from({ length: options.phases }, () => prng.between(0.8, 1.2));
    const sum = weights.reduce((a, b) => a + b, 0);
    this.share = weights.map((w) => w / sum);
    this.offsetV = Array.from({ length: options.phases }, () => prng.between(-3, 3));
    this.importWh = options.importWh ?? Math.round(prng.between(5e6, 3e7));
    this.exportWh = options.exportWh ?? Math.round(prng.between(1e6, 1e7));
  }

  /** Moves dtS seconds on; pvPowerW is what the site's inverters produce now. */
  step(dtS: number, site: SiteConditions, pvPowerW: number): void {
    this.load.step(dtS);
    this.site = site;
    this.gridW = this.load.powerW(solarHour(site.timeMs, this.options.longitudeDeg ?? 0)) - pvPowerW;
    if (this.gridW >= 0) this.importWh += (this.gridW * dtS) / 3600;
    else this.exportWh += (-this.gridW * dtS) / 3600;
  }

  /** Grid power now, W (positive = import). */
  gridPowerW(): number {
    return this.gridW;
  }

  /** The measurements now, in canonical fields. */
  values(): SimValues {
    const values: SimValues = {
      grid_power_w: this.gridW,
      energy_import_wh: this.importWh,
      energy_export_wh: this.exportWh,
    };
    const site = this.site;
    if (!site) return values;
    values.grid_frequency_hz = site.gridFrequencyHz;
    this.share.forEach((share, i) => {
      const key = (i + 1) as 1 | 2 | 3;
      const voltageV = site.nominalVoltageV + this.offsetV[i]! - (2 * this.gridW) / 10_000;
      values[`ac_voltage_l${key}_v`] = voltageV;
      // Phase currents are magnitudes, as meters show them; the sign lives in the power.
      values[`ac_current_l${key}_a`] = Math.abs(this.gridW * share) / voltageV;
      values[`grid_power_l${key}_w`] = this.gridW * share;
    });
    return values;
  }
}
