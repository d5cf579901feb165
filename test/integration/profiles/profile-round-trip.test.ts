/**
 * Round trip for every profile and every field it decodes, battery and meter fields included: the
 * simulator encodes its physics values with the profile (encode), serves them over Modbus TCP, the
 * gateway's reader decodes them, and each decoded field must equal the simulated value within the
 * register's resolution. The simulator's clock is frozen so values do not move between the two; then
 * it is moved to the evening so batteries discharge and grid power changes sign.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DeviceConfig } from '../../../server/src/config/schema.ts';
import { ManualClock, SystemClock } from '../../../server/src/core/clock.ts';
import { silentLogger } from '../../../server/src/core/logger.ts';
import type { Reading } from '../../../server/src/core/reading.ts';
import { createDeviceReader } from '../../../server/src/devices/create-device-reader.ts';
import { scanUnits } from '../../../server/src/devices/scan-units.ts';
import { ModbusConnection } from '../../../server/src/modbus/modbus-connection.ts';
import { operandsOf } from '../../../server/src/profiles/computed-fields.ts';
import { ProfileRegistry } from '../../../server/src/profiles/profile-registry.ts';
import type { Profile } from '../../../server/src/profiles/profile-schema.ts';
import { expressibleStatus } from '../../../modbus_slave/src/device/profile-imager.ts';
import {
  startSimulator,
  type RunningSimulator,
  type SimDeviceInfo,
} from '../../../modbus_slave/src/simulator.ts';

const registry = ProfileRegistry.load();
const BATTERY_FIELDS = ['battery_soc_pct', 'battery_power_w', 'battery_voltage_v', 'battery_current_a'];

/** How far a decoded value may be from the simulated one: the register's resolution (and float noise). */
function tolerance(profile: Profile, field: string, value: number): number {
  const point = profile.points[field as keyof Profile['points']] ?? profile.terms[field];
  if (point === undefined) {
    const rule = profile.computed[field as keyof Profile['computed']];
    return rule === undefined
      ? 0
      : operandsOf(rule).reduce((sum, name) => sum + tolerance(profile, name, value), 0);
  }
  if (point.type === 'f32') return Math.abs(value) * 1e-6 + Math.abs(point.gain) * 1e-6;
  // Integer registers: half a step; scale factors are chosen per value, so relative for those.
  return Math.abs(point.gain) * 0.51 + (point.sf === undefined ? 0 : Math.abs(value) * 1e-4) + 1e-9;
}

function decodedFields(profile: Profile): string[] {
  return [...Object.keys(profile.points), ...Object.keys(profile.computed)].filter(
    (field) => !(field in profile.constants),
  );
}

async function readAll(sim: RunningSimulator): Promise<Map<string, Reading>> {
  const readings = new Map<string, Reading>();
  for (const device of sim.devices) {
    const reader = createDeviceReader(configOf(device), {
      clock: new SystemClock(),
      logger: silentLogger(),
      profiles: registry,
    });
    try {
      readings.set(device.id, await reader.read());
    } finally {
      await reader.close();
    }
  }
  return readings;
}

function configOf(device: SimDeviceInfo): DeviceConfig {
  return {
    id: device.id,
    type: 'tcp',
    host: device.host,
    port: device.port,
    unit: device.unit,
    profile: device.profile,
    closeBetweenPolls: false,
  } as DeviceConfig;
}

/** Compares every field of every file profile; returns the fields checked, by profile. */
function compare(sim: RunningSimulator, readings: Map<string, Reading>): Map<string, string[]> {
  const checked = new Map<string, string[]>();
  const problems: string[] = [];
  for (const device of sim.devices) {
    if (device.profile === 'sunspec') continue;
    const profile = registry.get(device.profile);
    const reading = readings.get(device.id) as unknown as Record<string, unknown>;
    const values = sim.values(device.id) as Record<string, unknown>;
    const fields: string[] = [];
    for (const field of decodedFields(profile)) {
      const got = reading[field];
      let want = values[field];
      if (field === 'status') want = expressibleStatus(profile, want as never);
      if (field === 'make' && want === undefined) want = profile.make;
      if (want === undefined) {
        problems.push(`${device.id}: the simulator has no value for ${field}`);
        continue;
      }
      if (typeof want === 'number') {
        const tol = tolerance(profile, field, want);
        if (typeof got !== 'number' || Math.abs(got - want) > tol) {
          problems.push(`${device.id}.${field}: decoded ${String(got)}, simulated ${want} (±${tol})`);
        }
      } else if (got !== want) {
        problems.push(`${device.id}.${field}: decoded ${String(got)}, simulated ${String(want)}`);
      }
      fields.push(field);
    }
    checked.set(device.profile, fields);
  }
  assert.deepEqual(problems, []);
  return checked;
}

describe('every profile round-trips every field: encode → simulator → gateway decode', () => {
  let sim: RunningSimulator;
  const clock = new ManualClock();
  const profiles = registry.list().map((p) => p.id);

  before(async () => {
    sim = await startSimulator({
      clock,
      // A June morning at 50° N: producing, batteries charging.
      startTime: Date.UTC(2026, 5, 21, 8),
      seed: 12,
      devices: [
        ...profiles.map((profile) => ({ profile })),
        { profile: 'sunspec', id: 'sunspec-battery', sunspecBattery: true },
      ],
    });
  });
  after(async () => {
    await sim?.stop();
  });

  test('morning: producing, batteries charging', async () => {
    const checked = compare(sim, await readAll(sim));
    assert.equal(checked.size, profiles.length, 'every file profile was compared');
    for (const id of profiles) assert.ok(checked.get(id)!.length > 0, `${id}: fields compared`);
    const hybrids = sim.devices.filter((d) => BATTERY_FIELDS.some((f) => f in sim.values(d.id)));
    assert.ok(hybrids.length >= 10, `hybrid and battery devices simulated: ${hybrids.length}`);
  });

  test('a SunSpec hybrid with models 124 and 802 is walked and its battery read', async () => {
    const device = sim.devices.find((d) => d.id === 'sunspec-battery')!;
    const reading = (await readAll(sim)).get(device.id)!;
    const values = sim.values(device.id);
    for (const field of BATTERY_FIELDS) {
      const want = values[field as keyof typeof values] as number;
      const got = reading[field as keyof Reading] as number;
      // Scale factors are picked per value: four significant digits at least.
      assert.ok(Math.abs(got - want) <= Math.abs(want) * 1e-3 + 0.01, `${field}: ${got} vs ${want}`);
    }
    assert.ok(reading.ac_power_w! > 0 && reading.energy_total_wh! > 0);
  });

  test('SunSpec clients discover the fixed-layout SolarEdge and Fronius devices by their SunSpec header', async () => {
    for (const id of ['solaredge', 'fronius', 'fronius-gen24']) {
      const device = sim.devices.find((d) => d.id === id)!;
      const reader = createDeviceReader(
        { ...configOf(device), profile: 'sunspec' },
        { clock: new SystemClock(), logger: silentLogger(), profiles: registry },
      );
      try {
        const reading = await reader.read();
        const want = sim.values(id).ac_power_w!;
        assert.equal(reading.profile, 'sunspec', id);
        assert.ok(Math.abs(reading.ac_power_w! - want) <= Math.abs(want) * 1e-3 + 0.5, `${id} W`);
        assert.match(reading.serial ?? '', /\d/, `${id}: serial from model 1`);
      } finally {
        await reader.close();
      }
    }
  });

  test('every profile with an identify rule (meters too) is found by `--profile auto`; meters by `egw scan`', async () => {
    const identifiable = registry.list().filter((p) => p.identify !== undefined);
    const meters = identifiable.filter((p) => p.kind === 'meter');
    assert.ok(meters.length >= 5, `meters with identify rules: ${meters.map((m) => m.id).join(', ')}`);
    assert.ok(identifiable.length >= 10, `identify rules: ${identifiable.map((p) => p.id).join(', ')}`);
    for (const profile of identifiable) {
      const device = sim.devices.find((d) => d.profile === profile.id)!;
      const reader = createDeviceReader(
        { ...configOf(device), profile: 'auto' },
        { clock: new SystemClock(), logger: silentLogger(), profiles: registry },
      );
      try {
        // Devices with a real SunSpec header (SolarEdge, Fronius) are found by the SunSpec walk first.
        const hasSunSpecHeader = profile.fixedRegisters.length > 0;
        assert.equal((await reader.read()).profile, hasSunSpecHeader ? 'sunspec' : profile.id, profile.id);
      } finally {
        await reader.close();
      }
    }
    const em24 = sim.devices.find((d) => d.profile === 'em24')!;
    const connection = new ModbusConnection({
      device: 'scan',
      target: { type: 'tcp', host: em24.host, port: em24.port },
      clock: new SystemClock(),
      logger: silentLogger(),
    });
    try {
      const found = await scanUnits({
        connection,
        target: `${em24.host}:${em24.port}`,
        units: [em24.unit],
        profiles: registry,
        logger: silentLogger(),
      });
      assert.equal(found[0]?.profile, 'em24');
      assert.match(found[0]?.serial ?? '', /\d/);
    } finally {
      await connection.close();
    }
  });

  test('evening: batteries discharge, every field still round-trips', async () => {
    clock.advance(11 * 3600_000);
    const readings = await readAll(sim);
    compare(sim, readings);
    const discharging = [...readings.values()].filter((r) => (r.battery_power_w ?? 0) < 0);
    assert.ok(discharging.length >= 5, `devices reporting a discharging battery: ${discharging.length}`);
  });
});
