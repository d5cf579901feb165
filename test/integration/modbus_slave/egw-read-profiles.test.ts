import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SystemClock } from '../../../server/src/core/clock.ts';
import { silentLogger } from '../../../server/src/core/logger.ts';
import type { Reading } from '../../../server/src/core/reading.ts';
import { createDeviceReader } from '../../../server/src/devices/create-device-reader.ts';
import { ProfileRegistry } from '../../../server/src/profiles/profile-registry.ts';
import type { SimDeviceInfo } from '../../../modbus_slave/src/simulator.ts';
import { startSimProcess, type SimProcess } from '../../e2e/pipeline-harness.ts';
import { egw } from '../devices/egw-cli.ts';

const registry = ProfileRegistry.load();

/**
 * `egw read --json` (the command line, run in this process). The simulator runs in a child process:
 * its 16 devices' physics must not stall the reader's event loop (the reader's adaptive timeout would
 * fire), as they never share one in the field.
 */
async function egwRead(device: SimDeviceInfo, profile: string): Promise<Reading> {
  const args = ['read', '--host', device.host, '--port', String(device.port)];
  args.push('--unit', String(device.unit), '--profile', profile, '--json', '--timeout', '5000');
  const run = await egw(args);
  assert.equal(run.code, 0, `${device.id}: exit ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout) as Reading;
}

/** Runs tasks with at most `limit` at a time. */
async function pool<T, R>(items: T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

function phaseSum(reading: Reading): { sum: number; phases: number } {
  let sum = 0;
  let phases = 0;
  for (const n of [1, 2, 3] as const) {
    const v = reading[`ac_voltage_l${n}_v`];
    const i = reading[`ac_current_l${n}_a`];
    if (v !== undefined && i !== undefined) {
      sum += v * i;
      phases++;
    }
  }
  return { sum, phases };
}

function energyOf(reading: Reading): number | undefined {
  if (reading.energy_total_wh !== undefined) return reading.energy_total_wh;
  if (reading.energy_import_wh === undefined && reading.energy_export_wh === undefined) return undefined;
  return (reading.energy_import_wh ?? 0) + (reading.energy_export_wh ?? 0);
}

/** Checks a reading is plausible and internally consistent; returns what was checked. */
function checkReading(id: string, reading: Reading, ratedW: number | undefined): string[] {
  const checked: string[] = [];
  const hz = reading.grid_frequency_hz;
  if (hz !== undefined) {
    assert.ok(hz >= 49.5 && hz <= 50.5, `${id}: frequency ${hz} Hz`);
    checked.push('frequency');
  }
  const power = reading.ac_power_w ?? reading.grid_power_w;
  assert.ok(power !== undefined, `${id}: no power in ${JSON.stringify(reading)}`);
  const rated = reading.rated_power_w ?? ratedW;
  if (reading.ac_power_w !== undefined && rated !== undefined) {
    assert.ok(reading.ac_power_w > 0, `${id}: producing at simulated morning: ${reading.ac_power_w} W`);
    assert.ok(reading.ac_power_w <= rated * 1.001, `${id}: ${reading.ac_power_w} W above rated ${rated} W`);
    checked.push('rating');
  }
  const { sum, phases } = phaseSum(reading);
  if (phases > 0 && Math.abs(power) > 500) {
    assert.ok(Math.abs(sum - Math.abs(power)) <= 0.05 * Math.abs(power), `${id}: Σ V·I ${sum} vs P ${power}`);
    checked.push(`V·I (${phases} phases)`);
  }
  let dc = 0;
  let inputs = 0;
  for (const n of [1, 2, 3, 4] as const) {
    const v = reading[`pv${n}_voltage_v`];
    const i = reading[`pv${n}_current_a`];
    if (v !== undefined && i !== undefined) {
      dc += v * i;
      inputs++;
    }
  }
  if (reading.dc_power_w !== undefined && inputs > 0) {
    assert.ok(
      Math.abs(dc - reading.dc_power_w) <= 0.05 * reading.dc_power_w,
      `${id}: Σ PV V·I ${dc} vs DC ${reading.dc_power_w}`,
    );
    checked.push('DC V·I');
  }
  // A discharging battery adds to the AC output: only PV alone bounds it by the DC input.
  if (
    reading.dc_power_w !== undefined &&
    reading.ac_power_w !== undefined &&
    !(reading.battery_power_w! < 0)
  ) {
    assert.ok(
      reading.dc_power_w >= reading.ac_power_w * 0.99,
      `${id}: DC ${reading.dc_power_w} below AC ${reading.ac_power_w}`,
    );
  }
  assert.ok(energyOf(reading) !== undefined, `${id}: no energy counter`);
  return checked;
}

describe('every profile read from the simulator with `egw read`', () => {
  let sim: SimProcess;
  // One of each kind through the CLI; every profile's every field is round-tripped in-process by
  // test/integration/profiles/profile-round-trip.test.ts.
  const profiles = [
    ...['huawei', 'sungrow', 'growatt', 'solaredge', 'sma', 'fronius', 'goodwe', 'solis', 'deye'],
    ...['sdm630', 'dtsu666', 'solaredge-meter', 'huawei-luna', 'em24', 'sunspec'],
  ];

  before(async () => {
    sim = await startSimProcess({
      // A June morning at 50° N, 2 simulated minutes per real second: producing, energy visibly growing.
      startTime: Date.UTC(2026, 5, 21, 10),
      speed: 120,
      seed: 11,
      devices: [
        ...profiles.map((profile) => ({ profile })),
        { profile: 'sunspec', id: 'sunspec-113', sunspecInverterModel: 113 as const },
      ],
    });
  });
  after(async () => {
    await sim?.stop();
  });

  it('gives a plausible, consistent reading for each, and energy grows between two reads', async () => {
    // One read at a time: a read loads the profile files (synchronous work) while another would wait
    // for a reply under its adaptive timeout in the same event loop.
    const firsts = await pool(sim.devices, 1, (device) => egwRead(device, device.profile));
    const clock = new SystemClock();
    for (const [index, device] of sim.devices.entries()) {
      const first = firsts[index]!;
      assert.equal(first.profile, device.profile === 'sunspec' ? first.profile : device.profile);
      checkReading(device.id, first, (await sim.values(device.id)).rated_power_w);
      const reader = createDeviceReader(
        {
          id: device.id,
          type: 'tcp',
          host: device.host,
          port: device.port,
          unit: device.unit,
          profile: device.profile,
          closeBetweenPolls: false,
        },
        { clock, logger: silentLogger(), profiles: registry },
      );
      try {
        // Counters with 1 kWh resolution (Sungrow, Solis) need a few real seconds at speed 120 to tick.
        const until = Date.now() + 30_000;
        let energy = energyOf(await reader.read());
        while (!(energy! > energyOf(first)!) && Date.now() < until) {
          await new Promise((resolve) => setTimeout(resolve, 250));
          energy = energyOf(await reader.read());
        }
        assert.ok(energy! > energyOf(first)!, `${device.id}: energy ${energyOf(first)} → ${energy}`);
      } finally {
        await reader.close();
      }
    }
  });
});
