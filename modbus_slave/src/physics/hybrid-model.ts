/**
 * A hybrid inverter with a battery and an internal grid meter: the PV inverter's output and the house
 * load decide the flows, covered in this order: PV, then the battery, then the grid. A surplus charges
 * the battery (up to its charge limit, while not full), the rest is exported. The state of charge
 * integrates the battery power and stays within [minimum, 100] %. Also serves a battery alone (a
 * battery monitor on the same site) through the same values.
 */
import type { Prng } from './prng.ts';
import { HouseLoad } from './house-load.ts';
import { PvInverterModel, type PvInverterOptions } from './pv-inverter-model.ts';
import type { SimValues, SiteConditions } from './sim-values.ts';
import { solarHour } from './sun.ts';

/** Battery and wiring of one hybrid system. */
export interface HybridOptions extends PvInverterOptions {
  /** Usable battery energy, Wh (default 10 kWh). */
  capacityWh?: number;
  /** Largest charge and discharge power, W (default half the capacity per hour, at most the rating). */
  maxBatteryW?: number;
  /** Lowest state of charge the system discharges to, % (default 10). */
  minSocPct?: number;
  /** Nominal battery voltage, V (default 51.2, a 16-cell LFP bank). */
  batteryVoltageV?: number;
  longitudeDeg?: number;
}

/** One simulated hybrid system. */
export class HybridModel {
  private readonly pv: PvInverterModel;
  private readonly load: HouseLoad;
  private readonly options: HybridOptions;
  private readonly gridShare: number[];
  private socPct: number;
  private batteryW = 0;
  private loadW = 0;
  private gridW = 0;
  private chargedWh: number;
  private dischargedWh: number;
  private importWh: number;
  private exportWh: number;
  private batteryC: number | undefined;

  constructor(options: HybridOptions, prng: Prng) {
    this.options = options;
    this.pv = new PvInverterModel(options, prng.fork());
    this.load = new HouseLoad(prng.fork());
    this.socPct = prng.between(30, 70);
    this.chargedWh = Math.round(prng.between(1e6, 5e6));
    this.dischargedWh = Math.round(this.chargedWh * 0.93);
    this.importWh = Math.round(prng.between(2e6, 1e7));
    this.exportWh = Math.round(prng.between(1e6, 8e6));
    const weights = Array.from({ length: options.phases }, () => prng.between(0.8, 1.2));
    const sum = weights.reduce((a, b) => a + b, 0);
    this.gridShare = weights.map((w) => w / sum);
  }

  private get capacityWh(): number {
    return this.options.capacityWh ?? 10_000;
  }

  private get maxBatteryW(): number {
    return this.options.maxBatteryW ?? Math.min(this.capacityWh / 2, this.options.ratedPowerW);
  }

  /** Inverter AC output now, W: PV minus what the battery takes (plus what it gives). */
  powerW(): number {
    return this.pv.powerW() - this.batteryW;
  }

  reboot(): void {
    this.pv.reboot();
  }

  /** Moves dtS seconds on: PV first, then the battery, then the grid cover the house load. */
  step(dtS: number, site: SiteConditions): void {
    this.pv.step(dtS, site);
    this.load.step(dtS);
    this.loadW = this.load.powerW(solarHour(site.timeMs, this.options.longitudeDeg ?? 0));
    const surplusW = this.pv.powerW() - this.loadW;
    const hours = dtS / 3600;
    const minSoc = this.options.minSocPct ?? 10;
    if (surplusW >= 0) {
      const roomW = hours > 0 ? (((100 - this.socPct) / 100) * this.capacityWh) / hours : 0;
      this.batteryW = Math.max(0, Math.min(surplusW, this.maxBatteryW, roomW));
    } else {
      const availableW = hours > 0 ? (((this.socPct - minSoc) / 100) * this.capacityWh) / hours : 0;
      // The inverter's AC output (PV plus discharge) stays within its rating.
      const headroomW = Math.max(0, this.options.ratedPowerW - this.pv.powerW());
      this.batteryW = -Math.max(0, Math.min(-surplusW, this.maxBatteryW, availableW, headroomW));
    }
    this.gridW = this.loadW - this.powerW();
    this.socPct = Math.min(
      100,
      Math.max(minSoc, this.socPct + ((this.batteryW * hours) / this.capacityWh) * 100),
    );
    if (this.batteryW >= 0) this.chargedWh += this.batteryW * hours;
    else this.dischargedWh -= this.batteryW * hours;
    if (this.gridW >= 0) this.importWh += this.gridW * hours;
    else this.exportWh -= this.gridW * hours;
    const targetC = site.ambientC + 8 + 10 * (Math.abs(this.batteryW) / this.maxBatteryW);
    this.batteryC ??= targetC;
    this.batteryC += (targetC - this.batteryC) * (1 - Math.exp(-dtS / 900));
  }

  /** State of charge now, %. */
  stateOfChargePct(): number {
    return this.socPct;
  }

  /** The measurements now: the PV inverter's, with AC output, battery, meter and load. */
  values(): SimValues {
    const values = this.pv.values();
    const acW = this.powerW();
    values.ac_power_w = acW;
    for (const n of [1, 2, 3] as const) {
      const voltageV = values[`ac_voltage_l${n}_v`];
      if (voltageV !== undefined)
        values[`ac_current_l${n}_a`] = Math.abs(acW / this.options.phases) / voltageV;
    }
    const batteryV = (this.options.batteryVoltageV ?? 51.2) * (0.95 + 0.1 * (this.socPct / 100));
    values.battery_soc_pct = this.socPct;
    values.battery_power_w = this.batteryW;
    values.battery_voltage_v = batteryV;
    values.battery_current_a = this.batteryW / batteryV;
    if (this.batteryC !== undefined) values.battery_temperature_c = this.batteryC;
    values.energy_battery_charge_wh = this.chargedWh;
    values.energy_battery_discharge_wh = this.dischargedWh;
    values.load_power_w = this.loadW;
    values.grid_power_w = this.gridW;
    this.gridShare.forEach((share, i) => {
      values[`grid_power_l${(i + 1) as 1 | 2 | 3}_w`] = this.gridW * share;
    });
    values.energy_import_wh = this.importWh;
    values.energy_export_wh = this.exportWh;
    return values;
  }
}
