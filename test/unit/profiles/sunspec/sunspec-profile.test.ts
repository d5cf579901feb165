import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProfileError } from '../../../../server/src/core/errors.ts';
import {
  decodeFrequency,
  decodeReading,
  type DecodedReading,
} from '../../../../server/src/profiles/decode.ts';
import type { RegisterImage } from '../../../../server/src/profiles/encode.ts';
import { wireFrequencyBlock } from '../../../../server/src/profiles/profile-blocks.ts';
import { ProfileRegistry } from '../../../../server/src/profiles/profile-registry.ts';
import type { Profile } from '../../../../server/src/profiles/profile-schema.ts';
import { walkSunSpecChain } from '../../../../server/src/profiles/sunspec/sunspec-chain.ts';
import { sunspecImage } from '../../../../server/src/profiles/sunspec/sunspec-image.ts';
import { buildSunSpecProfile } from '../../../../server/src/profiles/sunspec/sunspec-profile.ts';
import { readBlocks, seededRandom } from '../image-blocks.ts';

/** Discovers the image's chain as a device reader would, builds its profile and decodes one reading. */
async function discoverAndRead(image: RegisterImage): Promise<{ profile: Profile; reading: DecodedReading }> {
  const read = async (start: number, count: number): Promise<number[]> =>
    Array.from({ length: count }, (_, i) => image.holding.get(start + i) ?? 0);
  const profile = buildSunSpecProfile(await walkSunSpecChain(read));
  return { profile, reading: decodeReading(profile, readBlocks(profile, image)) };
}

const INVERTER: DecodedReading = {
  make: 'SimSolar',
  model: 'SIM-10K-3P',
  serial: 'SN0001',
  ac_power_w: 5234,
  grid_frequency_hz: 50.01,
  energy_total_wh: 98765432,
  ac_voltage_l1_v: 231.2,
  ac_voltage_l2_v: 229.8,
  ac_voltage_l3_v: 230.5,
  ac_current_l1_a: 7.55,
  ac_current_l2_a: 7.5,
  ac_current_l3_a: 7.6,
  dc_power_w: 5400,
  temperature_c: 41.5,
  rated_power_w: 10000,
  pv1_voltage_v: 612.3,
  pv1_current_a: 4.41,
  pv2_voltage_v: 598.1,
  pv2_current_a: 4.4,
  status: 'producing',
};

test('inverter chain 1, 120, 103, 160 round-trips every canonical field', async () => {
  const { profile, reading } = await discoverAndRead(sunspecImage([1, 120, 103, 160], INVERTER));
  assert.equal(profile.kind, 'inverter');
  assert.deepEqual(reading, INVERTER);
});

test('float inverter 113 and single-phase 101 chains decode; phases a model lacks are absent', async () => {
  const three = await discoverAndRead(sunspecImage([1, 113, 120], INVERTER));
  assert.equal(three.reading.ac_power_w, 5234);
  // float32 keeps 24 bits: 98765432 Wh comes back to within 8 Wh.
  assert.ok(Math.abs((three.reading.energy_total_wh ?? 0) - 98765432) <= 8);
  assert.equal(three.reading.pv1_voltage_v, undefined);
  const { ac_voltage_l2_v: _v2, ac_voltage_l3_v: _v3, ...single } = INVERTER;
  const one = await discoverAndRead(sunspecImage([1, 101], single));
  assert.equal(one.reading.ac_voltage_l1_v, 231.2);
  assert.equal('ac_voltage_l2_v' in one.reading, false);
});

test('scale factors change with power in the image and the decoder follows them', async () => {
  const low = sunspecImage([1, 103], { ...INVERTER, ac_power_w: 123.4 });
  const high = sunspecImage([1, 103], { ...INVERTER, ac_power_w: 45000 });
  const wSf = (image: RegisterImage): number => ((image.holding.get(40070 + 15) ?? 0) << 16) >> 16;
  assert.equal(wSf(low), -2);
  assert.equal(wSf(high), 1);
  assert.equal((await discoverAndRead(low)).reading.ac_power_w, 123.4);
  assert.equal((await discoverAndRead(high)).reading.ac_power_w, 45000);
});

test('absent values are SunSpec "not implemented" in the image and absent after decoding', async () => {
  const { reading } = await discoverAndRead(
    sunspecImage([1, 103], { ac_power_w: 100, grid_frequency_hz: 50 }),
  );
  assert.deepEqual(reading, { make: 'SunSpec', ac_power_w: 100, grid_frequency_hz: 50 });
});

test('a meter-only chain gives grid power (positive = import), energies and per-phase values', async () => {
  const meter: DecodedReading = {
    make: 'MeterCo',
    grid_power_w: -2345,
    energy_import_wh: 1234500,
    energy_export_wh: 987600,
    grid_frequency_hz: 49.98,
    ac_voltage_l1_v: 230.1,
    ac_current_l1_a: 10.2,
  };
  for (const id of [201, 202, 203, 204]) {
    const { profile, reading } = await discoverAndRead(sunspecImage([1, id], meter));
    assert.equal(profile.kind, 'meter');
    assert.deepEqual(reading, meter, `model ${id}`);
  }
});

test('inverter with a meter: the meter adds grid power and energies, the inverter keeps the phases', async () => {
  const values = { ...INVERTER, grid_power_w: 1500, energy_import_wh: 5000, energy_export_wh: 7000 };
  const { reading } = await discoverAndRead(sunspecImage([1, 103, 1, 203], values));
  assert.equal(reading.grid_power_w, 1500);
  assert.equal(reading.ac_voltage_l1_v, 231.2);
  assert.equal(reading.energy_export_wh, 7000);
});

test('every block is at most 125 registers and holds each value with its scale factor', () => {
  const profile = buildSunSpecProfile({
    base: 40000,
    models: [
      { id: 1, start: 40002, length: 66 },
      { id: 160, start: 40070, length: 8 + 20 * 10 },
      { id: 103, start: 40280, length: 50 },
    ],
  });
  for (const block of profile.blocks) assert.ok(block.count <= 125);
  assert.equal(profile.points.pv4_voltage_v?.address, 40070 + 10 + 3 * 20 + 10);
  assert.equal(profile.points.pv4_voltage_v?.sf, 40070 + 3);
  assert.deepEqual(profile.frequency, { function: 3, start: 40296, count: 2 });
});

test('the 10 Hz block yields the frequency for integer and float inverters', async () => {
  for (const models of [
    [1, 103],
    [1, 113],
    [1, 203],
  ]) {
    const image = sunspecImage(models, { grid_frequency_hz: 49.97 });
    const { profile } = await discoverAndRead(image);
    const block = wireFrequencyBlock(profile);
    assert.ok(block);
    const registers = Array.from({ length: block.count }, (_, i) => image.holding.get(block.start + i) ?? 0);
    assert.equal(decodeFrequency(profile, { function: 3, start: block.start, registers }), 49.97);
  }
});

test('a short common model (SolarEdge: L = 65) still yields the identity', () => {
  const profile = buildSunSpecProfile({
    base: 40000,
    models: [
      { id: 1, start: 40002, length: 65 },
      { id: 103, start: 40069, length: 50 },
    ],
  });
  assert.equal(profile.points.serial?.address, 40052);
  assert.equal(profile.points.ac_power_w?.address, 40083);
  assert.equal(profile.points.ac_power_w?.sf, 40084);
});

test('a chain without inverter or meter model is a ProfileError listing the models', () => {
  assert.throws(
    () =>
      buildSunSpecProfile({
        base: 0,
        models: [
          { id: 1, start: 2, length: 66 },
          { id: 124, start: 70, length: 24 },
        ],
      }),
    (e: unknown) =>
      e instanceof ProfileError && /no inverter, meter or battery model \(models: 1, 124\)/.test(e.message),
  );
});

test('random inverter readings round-trip through image, discovery and decoding within resolution', async () => {
  const random = seededRandom(42);
  for (let i = 0; i < 20; i++) {
    const power = random() * 30000;
    const values: DecodedReading = {
      ac_power_w: power,
      grid_frequency_hz: 49.5 + random(),
      energy_total_wh: 1e3 + random() * 1e9,
    };
    const { reading } = await discoverAndRead(sunspecImage([1, 120, i % 2 ? 103 : 113, 160], values));
    assert.ok(Math.abs((reading.ac_power_w ?? NaN) - power) <= Math.max(0.5, power * 1e-6), `power ${power}`);
    assert.ok(Math.abs((reading.grid_frequency_hz ?? NaN) - (values.grid_frequency_hz ?? 0)) <= 0.0005);
    assert.ok(Math.abs((reading.energy_total_wh ?? NaN) - (values.energy_total_wh ?? 0)) <= 100);
  }
});

test('sunspecImage refuses model ids the project does not define', () => {
  assert.throws(() => sunspecImage([1, 999], {}), /SunSpec model 999 is not defined/);
});

test('the fixed SolarEdge and Fronius layouts agree with the SunSpec model definitions', () => {
  const registry = ProfileRegistry.load();
  const cases: [string, { id: number; start: number; length: number }[], string[]][] = [
    // SolarEdge reads the heat-sink temperature instead of the cabinet one.
    [
      'solaredge',
      [
        { id: 1, start: 40002, length: 65 },
        { id: 103, start: 40069, length: 50 },
      ],
      ['temperature_c'],
    ],
    [
      'fronius',
      [
        { id: 1, start: 40002, length: 65 },
        { id: 113, start: 40069, length: 60 },
        { id: 120, start: 40131, length: 26 },
      ],
      [],
    ],
    // GEN24 with a battery: its battery power comes from MPPT modules 3 and 4, not a SunSpec point.
    [
      'fronius-gen24',
      [
        { id: 1, start: 40002, length: 65 },
        { id: 103, start: 40069, length: 50 },
        { id: 120, start: 40121, length: 26 },
        { id: 160, start: 40253, length: 88 },
        { id: 124, start: 40343, length: 24 },
      ],
      [],
    ],
  ];
  for (const [id, models, differ] of cases) {
    const fixed = registry.get(id);
    const discovered = buildSunSpecProfile({ base: 40000, models });
    for (const [field, point] of Object.entries(fixed.points)) {
      const expected = discovered.points[field as keyof Profile['points']];
      if (differ.includes(field) || expected === undefined) continue;
      assert.equal(point?.address, expected.address, `${id} ${field} address`);
      assert.equal(point?.sf, expected.sf, `${id} ${field} scale factor`);
      assert.equal(point?.type, expected.type, `${id} ${field} type`);
    }
  }
});
