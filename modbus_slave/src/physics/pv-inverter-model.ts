/**
 * A PV inverter: DC power from the light on an array about 15 % larger than the AC rating, split over
 * its MPPT inputs; AC power after a load-dependent efficiency, clipped at the rating (throttled);
 * phase voltages and currents that multiply back to the power; a lifetime energy counter that only
 * grows; a status that follows the sun.
 */
import type { DeviceStatus } from '../../../server/src/core/reading.ts';
import type { Prng } from './prng.ts';
import type { SimValues, SiteConditions } from './sim-values.ts';

/** Nameplate and wiring of one inverter. */
export interface PvInverterOptions {
  ratedPowerW: number;
  /** MPPT inputs reported (1–4). */
  mppts: number;
  /** AC phases (1 or 3). */
  phases: number;
  /** Lifetime energy at start, Wh. */
  energyWh?: number;
  /** Seconds in "starting" after waking or rebooting. */
  startupS?: number;
}

/** DC array size relative to the AC rating; lets a clear noon clip (throttled). */
const DC_RATIO = 1.15;

/** Conversion efficiency at an AC load fraction: poor at very low load, about 97.5 % near full. */
export function efficiency(loadFraction: number): number {
  return 0.975 - 0.06 * Math.exp(-Math.max(0, loadFraction) / 0.05);
}

/** One simulated PV inverter's physics. */
export class PvInverterModel {
  private statusNow: DeviceStatus = 'sleeping';
  private startupLeftS = 0;
  private energyWh: number;
  private acPowerW = 0;
  private dcPowerW = 0;
  private temperatureC: number | undefined;
  private readonly phaseOffsetV: number[];
  private readonly mpptShare: number[];
  private readonly mpptVmppV: number[];
  private first = true;
  private readonly options: PvInverterOptions;
  private readonly prng: Prng;
  private site: SiteConditions | undefined;

  constructor(options: PvInverterOptions, prng: Prng) {
    this.options = options;
    this.prng = prng;
    this.energyWh = options.energyWh ?? Math.round(prng.between(2e6, 2e7));
    this.phaseOffsetV = Array.from({ length: options.phases }, () => prng.between(-3, 3));
    const weights = Array.from({ length: options.mppts }, () => prng.between(0.85, 1.15));
    const sum = weights.reduce((a, b) => a + b, 0);
    this.mpptShare = weights.map((w) => w / sum);
    this.mpptVmppV = Array.from({ length: options.mppts }, () => prng.between(380, 560));
  }

  /** AC power now, W (for the site's meters). */
  powerW(): number {
    return this.acPowerW;
  }

  /** Restarts after a reboot: "starting" again, the energy counter continues. */
  reboot(): void {
    this.statusNow = 'starting';
    this.startupLeftS = this.options.startupS ?? 30;
    this.acPowerW = 0;
    this.dcPowerW = 0;
  }

  /** Moves dtS seconds on under the site's conditions. */
  step(dtS: number, site: SiteConditions): void {
    const rated = this.options.ratedPowerW;
    const availableDcW = rated * DC_RATIO * site.lightFactor;
    const wakeW = rated * 0.01;
    if (this.first) {
      // Start in the state the sun implies, so a simulator started at noon produces at once.
      this.first = false;
      this.statusNow = availableDcW > wakeW ? 'producing' : 'sleeping';
    }
    if (this.statusNow === 'sleeping' && availableDcW > wakeW) {
      this.statusNow = 'starting';
      this.startupLeftS = this.options.startupS ?? 30;
    } else if (this.statusNow !== 'sleeping' && availableDcW < wakeW / 2) {
      this.statusNow = 'sleeping';
    }
    if (this.statusNow === 'starting') {
      this.startupLeftS -= dtS;
      if (this.startupLeftS <= 0) this.statusNow = 'producing';
    }
    if (this.statusNow === 'producing' || this.statusNow === 'throttled') {
      const wantedAcW = availableDcW * efficiency(availableDcW / rated);
      this.statusNow = wantedAcW > rated ? 'throttled' : 'producing';
      this.acPowerW = Math.min(rated, wantedAcW);
      this.dcPowerW = this.acPowerW / efficiency(this.acPowerW / rated);
    } else {
      this.acPowerW = 0;
      this.dcPowerW = 0;
    }
    this.energyWh += (this.acPowerW * dtS) / 3600;
    const targetC = site.ambientC + 5 + 25 * (this.acPowerW / rated);
    this.temperatureC ??= targetC;
    this.temperatureC += (targetC - this.temperatureC) * (1 - Math.exp(-dtS / 300));
    this.site = site;
  }

  /** The measurements now, in canonical fields. */
  values(): SimValues {
    const site = this.site;
    const values: SimValues = {
      status: this.statusNow,
      rated_power_w: this.options.ratedPowerW,
      energy_total_wh: this.energyWh,
      ac_power_w: this.acPowerW,
      dc_power_w: this.dcPowerW,
    };
    if (!site) return values;
    values.grid_frequency_hz = site.gridFrequencyHz;
    values.temperature_c = this.temperatureC ?? site.ambientC;
    const load = this.acPowerW / this.options.ratedPowerW;
    const phasePowerW = this.acPowerW / this.options.phases;
    this.phaseOffsetV.forEach((offsetV, i) => {
      // Exporting lifts the local voltage a little, as on a real feeder.
      const voltageV = site.nominalVoltageV + offsetV + 4 * load;
      const key = (i + 1) as 1 | 2 | 3;
      values[`ac_voltage_l${key}_v`] = voltageV;
      values[`ac_current_l${key}_a`] = phasePowerW / voltageV;
    });
    const awake = this.statusNow !== 'sleeping';
    this.mpptShare.forEach((share, i) => {
      const key = (i + 1) as 1 | 2 | 3 | 4;
      // Cells run hotter in strong light and the MPP voltage drops about 0.35 %/K; open circuit when idle.
      const cellC = site.ambientC + 30 * site.lightFactor;
      const vmppV = this.mpptVmppV[i]! * (1 - 0.0035 * (cellC - 25));
      const voltageV = !awake ? 0 : this.dcPowerW > 0 ? vmppV : vmppV * 1.2;
      values[`pv${key}_voltage_v`] = voltageV;
      values[`pv${key}_current_a`] = voltageV > 0 ? (this.dcPowerW * share) / voltageV : 0;
    });
    return values;
  }
}
