import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeReading, type DecodedReading } from '../../../server/src/profiles/decode.ts';
import { encodeReading } from '../../../server/src/profiles/encode.ts';
import { ProfileRegistry } from '../../../server/src/profiles/profile-registry.ts';
import { ProfileSchema, type Point, type Profile } from '../../../server/src/profiles/profile-schema.ts';
import { readBlocks, seededRandom } from './image-blocks.ts';

const registry = ProfileRegistry.load();

/** Realistic ranges per canonical field. */
const RANGES: Record<string, [number, number]> = {
  ac_power_w: [0, 20000],
  grid_power_w: [-15000, 15000],
  grid_frequency_hz: [49.5, 50.5],
  energy_total_wh: [1000, 1e8],
  energy_import_wh: [1000, 1e8],
  energy_export_wh: [1000, 1e8],
  dc_power_w: [0, 20000],
  temperature_c: [-20, 80],
  rated_power_w: [3000, 20000],
  grid_power_l1_w: [-5000, 5000],
  grid_power_l2_w: [-5000, 5000],
  grid_power_l3_w: [-5000, 5000],
  load_power_w: [0, 10000],
  battery_soc_pct: [0, 100],
  battery_power_w: [-5000, 5000],
  battery_voltage_v: [45, 60],
  battery_current_a: [-80, 80],
  battery_temperature_c: [-10, 50],
  energy_battery_charge_wh: [1000, 5e6],
  energy_battery_discharge_wh: [1000, 5e6],
};
function rangeOf(field: string): [number, number] {
  if (RANGES[field]) return RANGES[field];
  if (/^pv\d_voltage/.test(field)) return [0, 800];
  if (/current/.test(field)) return [0, 30];
  if (/voltage/.test(field)) return [200, 250];
  throw new Error(`no range for ${field}`);
}

function randomReading(profile: Profile, random: () => number): DecodedReading {
  const out: Record<string, string | number> = {};
  for (const [field, point] of Object.entries(profile.points) as [string, Point][]) {
    if (field === 'status') {
      const statuses = Object.values(point.map ?? {});
      out[field] = statuses[Math.floor(random() * statuses.length)] as string;
    } else if (point.type === 'str') {
      const length = 1 + Math.floor(random() * (2 * (point.size ?? 1)));
      out[field] = Array.from({ length }, () => 'ABCXYZ0123456789-'[Math.floor(random() * 17)]).join('');
    } else if (['make', 'model', 'serial'].includes(field)) {
      out[field] = String(Math.floor(random() * 1e9));
    } else {
      const [min, max] = rangeOf(field);
      out[field] = min + random() * (max - min);
    }
  }
  return out as DecodedReading;
}

/** Half the register's resolution for a point (scale factor read back from the image's blocks). */
function tolerance(point: Point, value: number, sf: number): number {
  if (point.type === 'f32') return Math.abs(value) * 1e-6 + 1e-9;
  return (Math.abs(point.gain) * 10 ** sf) / 2 + 1e-9;
}

for (const profile of registry.list()) {
  test(`${profile.id}: decode(encode(x)) ≈ x within register resolution for random readings`, () => {
    const random = seededRandom(profile.id.length * 7919);
    for (let round = 0; round < 25; round++) {
      const reading = randomReading(profile, random);
      const image = encodeReading(profile, reading);
      const decoded = decodeReading(profile, readBlocks(profile, image));
      for (const [field, expected] of Object.entries(reading)) {
        const actual = (decoded as Record<string, unknown>)[field];
        const point = profile.points[field as keyof Profile['points']] as Point;
        if (typeof expected === 'string') {
          assert.equal(actual, expected, `${profile.id} ${field}`);
          continue;
        }
        assert.equal(typeof actual, 'number', `${profile.id} ${field} decoded`);
        const sfWord =
          point.sf === undefined ? 0 : (image.holding.get(point.sf - profile.transport.addressing) ?? 0);
        const sf = sfWord >= 0x8000 ? sfWord - 0x10000 : sfWord;
        const tol = tolerance(point, expected, sf);
        assert.ok(
          Math.abs((actual as number) - expected) <= tol,
          `${profile.id} ${field}: ${actual} vs ${expected} (±${tol})`,
        );
      }
    }
  });

  test(`${profile.id}: an empty reading encodes to sentinels that decode as absent fields`, () => {
    assert.deepEqual(decodeReading(profile, readBlocks(profile, encodeReading(profile, {}))), {
      make: profile.make,
    });
  });
}

const sunspecLike = ProfileSchema.parse({
  id: 'x',
  make: 'X',
  blocks: [{ start: 0, count: 10 }],
  points: {
    ac_power_w: { address: 0, type: 's16', sf: 1 },
    dc_power_w: { address: 2, type: 's16', sf: 1 },
    energy_total_wh: { address: 3, type: 'acc32', sf: 5 },
    status: { address: 6, type: 'u16', map: { '4': 'producing' } },
    temperature_c: { address: 7, type: 's16', gain: 0.1 },
  },
});

test('scale factors follow power: finest that fits every value sharing the register', () => {
  const sfAt = (power: number): number => {
    const word = encodeReading(sunspecLike, { ac_power_w: power, dc_power_w: 10 }).holding.get(1) ?? 0;
    return word >= 0x8000 ? word - 0x10000 : word;
  };
  assert.equal(sfAt(25.5), -3);
  assert.equal(sfAt(250.5), -2);
  assert.equal(sfAt(5234.5), 0);
  assert.equal(sfAt(45000), 1);
  assert.equal(sfAt(-30000), 0);
});

test('fixed scale factors by field are honoured', () => {
  const image = encodeReading(sunspecLike, { ac_power_w: 1234.5 }, { sf: { ac_power_w: -1 } });
  assert.equal(image.holding.get(0), 12345);
  assert.equal(image.holding.get(1), 0xffff);
});

test('acc32 accumulators roll over modulo 2^32 at a fixed scale factor, as devices do', () => {
  const image = encodeReading(sunspecLike, { energy_total_wh: 2 ** 32 + 5 }, { sf: { energy_total_wh: 0 } });
  assert.equal(image.holding.get(3), 0);
  assert.equal(image.holding.get(4), 5);
  assert.equal(decodeReading(sunspecLike, readBlocks(sunspecLike, image)).energy_total_wh, 5);
});

test('values a fixed gain cannot hold, and statuses the map lacks, are refused with the field named', () => {
  assert.throws(
    () => encodeReading(sunspecLike, { temperature_c: 5000 }),
    /points\.temperature_c: 5000 does not fit s16/,
  );
  assert.throws(
    () => encodeReading(sunspecLike, { status: 'fault' }),
    /points\.status\.map has no code for status "fault"/,
  );
  const unknown = encodeReading(sunspecLike, { status: 'unknown' });
  assert.equal(decodeReading(sunspecLike, readBlocks(sunspecLike, unknown)).status, 'unknown');
});

test('every block register is present in the image, so a simulator can serve the blocks whole', () => {
  const huawei = registry.get('huawei');
  const image = encodeReading(huawei, {});
  for (const block of huawei.blocks) {
    for (let a = block.start; a < block.start + block.count; a++)
      assert.ok(image.holding.has(a), `register ${a}`);
  }
  assert.equal(image.input.size, 0);
});
