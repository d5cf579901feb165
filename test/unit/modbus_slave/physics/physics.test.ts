import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GridFrequency } from '../../../../modbus_slave/src/physics/grid-frequency.ts';
import { Prng } from '../../../../modbus_slave/src/physics/prng.ts';
import { Site } from '../../../../modbus_slave/src/physics/site.ts';
import {
  clearSkyIrradianceWm2,
  solarNoonMs,
  sunElevationDeg,
} from '../../../../modbus_slave/src/physics/sun.ts';

const JUNE = Date.UTC(2026, 5, 21);
const HOUR = 3_600_000;

function site(seed = 7, startTimeMs = JUNE + 12 * HOUR) {
  // 1 s steps keep day-long runs fast; the physics does not depend on the step size beyond noise.
  const s = new Site({ seed, latitudeDeg: 50, startTimeMs, stepS: 1 });
  const inverter = s.addInverter({ ratedPowerW: 10_000, mppts: 2, phases: 3 });
  const meter = s.addMeter({ phases: 3 });
  return { s, inverter, meter };
}

describe('sun', () => {
  it('stands highest at solar noon (90° − latitude + declination) and below the horizon at midnight', () => {
    assert.ok(Math.abs(sunElevationDeg(JUNE + 12 * HOUR, 50) - 63.4) < 0.5);
    assert.ok(sunElevationDeg(JUNE, 50) < 0);
    assert.equal(clearSkyIrradianceWm2(-5), 0);
    assert.ok(clearSkyIrradianceWm2(60) > 800);
    assert.equal(solarNoonMs(JUNE + 5 * HOUR, 15), JUNE + 11 * HOUR);
  });
});

describe('grid frequency', () => {
  it('stays within 49.8–50.2 Hz, wanders and shows step events a 10 Hz sampler can see', () => {
    const frequency = new GridFrequency(new Prng(3));
    const samples: number[] = [];
    for (let i = 0; i < 36_000; i++) {
      frequency.step(0.1);
      samples.push(frequency.hz());
    }
    assert.ok(Math.min(...samples) >= 49.8 && Math.max(...samples) <= 50.2);
    assert.ok(new Set(samples.slice(0, 100)).size > 50, 'consecutive samples differ');
    const extremes = samples.filter((hz) => Math.abs(hz - 50) > 0.09).length;
    assert.ok(extremes > 0, 'an hour holds at least one step event beyond the ±0.05 Hz wander');
  });

  it('centres on 60 Hz when nominal is 60', () => {
    const frequency = new GridFrequency(new Prng(3), { nominalHz: 60 });
    frequency.step(0.1);
    assert.ok(Math.abs(frequency.hz() - 60) <= 0.2);
  });
});

describe('PV inverter', () => {
  it('produces at noon, sleeps at night, never above its rating, and throttles on a clear June noon', () => {
    const { s, inverter } = site();
    let throttled = 0;
    for (let t = 0; t < 24 * 60; t++) {
      s.advanceTo(JUNE + 12 * HOUR + t * 60_000);
      const v = inverter.values();
      assert.ok(v.ac_power_w! <= 10_000 + 1e-6);
      if (v.status === 'throttled') throttled++;
      const hour = (12 + t / 60) % 24;
      if (hour > 23 || hour < 2) assert.equal(v.status, 'sleeping');
      if (v.status === 'sleeping') assert.equal(v.ac_power_w, 0);
    }
    assert.ok(throttled > 0);
  });

  it('keeps V·I consistent with power on AC and DC, DC slightly above AC', () => {
    const { s, inverter } = site();
    s.advanceTo(JUNE + 13 * HOUR);
    const v = inverter.values();
    const ac = [1, 2, 3].reduce(
      (sum, n) => sum + v[`ac_voltage_l${n as 1}_v`]! * v[`ac_current_l${n as 1}_a`]!,
      0,
    );
    assert.ok(Math.abs(ac - v.ac_power_w!) < 1e-6 * v.ac_power_w!);
    const dc = [1, 2].reduce((sum, n) => sum + v[`pv${n as 1}_voltage_v`]! * v[`pv${n as 1}_current_a`]!, 0);
    assert.ok(Math.abs(dc - v.dc_power_w!) < 1e-6 * v.dc_power_w!);
    assert.ok(v.dc_power_w! > v.ac_power_w! && v.dc_power_w! < v.ac_power_w! * 1.1);
  });

  it('integrates power into an energy counter that only grows', () => {
    const { s, inverter } = site();
    let previous = inverter.values().energy_total_wh!;
    const start = previous;
    let expected = 0;
    for (let i = 1; i <= 600; i++) {
      s.advanceTo(JUNE + 12 * HOUR + i * 1000);
      const v = inverter.values();
      assert.ok(v.energy_total_wh! >= previous);
      previous = v.energy_total_wh!;
      expected += v.ac_power_w! / 3600;
    }
    assert.ok(Math.abs(previous - start - expected) / expected < 0.02);
  });

  it('restarts through "starting" after a reboot with the energy counter kept', () => {
    const { s, inverter } = site();
    s.advanceTo(JUNE + 12 * HOUR + 1000);
    const before = inverter.values().energy_total_wh!;
    inverter.reboot();
    s.advanceTo(JUNE + 12 * HOUR + 2000);
    assert.equal(inverter.values().status, 'starting');
    assert.equal(inverter.values().ac_power_w, 0);
    assert.ok(inverter.values().energy_total_wh! >= before);
    s.advanceTo(JUNE + 12 * HOUR + 60_000);
    assert.match(inverter.values().status!, /producing|throttled/);
  });
});

describe('meter', () => {
  it('sees house load minus PV as grid power and counts import and export separately', () => {
    const { s, inverter, meter } = site();
    const start = meter.values();
    let sawExport = false;
    let sawImport = false;
    for (let t = 1; t <= 24 * 60; t++) {
      s.advanceTo(JUNE + 12 * HOUR + t * 60_000);
      const v = meter.values();
      if (v.grid_power_w! < 0) sawExport = true;
      if (v.grid_power_w! > 0) sawImport = true;
      assert.ok(v.grid_power_w! <= 250 + 1050 + 20_000 - inverter.powerW());
    }
    const end = meter.values();
    assert.ok(sawExport && sawImport);
    assert.ok(end.energy_import_wh! > start.energy_import_wh!);
    assert.ok(end.energy_export_wh! > start.energy_export_wh!);
    const phases = [1, 2, 3].reduce(
      (sum, n) => sum + end[`ac_voltage_l${n as 1}_v`]! * end[`ac_current_l${n as 1}_a`]!,
      0,
    );
    assert.ok(
      Math.abs(phases - Math.abs(end.grid_power_w!)) < 1e-6 * Math.max(1, Math.abs(end.grid_power_w!)),
    );
  });
});

describe('reproducibility', () => {
  it('gives the same values for the same seed and advance times, different for another seed', () => {
    const run = (seed: number) => {
      const { s, inverter, meter } = site(seed);
      for (let i = 1; i <= 100; i++) s.advanceTo(JUNE + 12 * HOUR + i * 3_000);
      return JSON.stringify([inverter.values(), meter.values()]);
    };
    assert.equal(run(5), run(5));
    assert.notEqual(run(5), run(6));
  });

  it('bounds the work of a huge jump (large speed) without stalling', () => {
    const { s, inverter } = site();
    s.advanceTo(JUNE + 12 * HOUR + 24 * HOUR);
    assert.ok(inverter.values().energy_total_wh! > 0);
  });
});
