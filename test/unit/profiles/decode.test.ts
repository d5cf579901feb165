import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFrequency, decodeReading, type RawBlock } from '../../../server/src/profiles/decode.ts';
import { roundToStep } from '../../../server/src/profiles/decode-point.ts';
import {
  ProfileSchema,
  type Profile,
  type ProfileInput,
} from '../../../server/src/profiles/profile-schema.ts';

function profile(points: ProfileInput['points'], extra: Partial<ProfileInput> = {}): Profile {
  return ProfileSchema.parse({ id: 't', make: 'Test', blocks: [{ start: 0, count: 100 }], points, ...extra });
}
const holding = (registers: number[], start = 0): RawBlock => ({ function: 3, start, registers });

test('decodes each integer type, signed and unsigned, high word first by default', () => {
  const p = profile({
    ac_power_w: { address: 0, type: 's16' },
    dc_power_w: { address: 1, type: 'u16' },
    grid_power_w: { address: 2, type: 's32' },
    rated_power_w: { address: 4, type: 'u32' },
    energy_total_wh: { address: 6, type: 'u64' },
    energy_import_wh: { address: 10, type: 's64' },
    energy_export_wh: { address: 14, type: 'acc32' },
  });
  const r = decodeReading(p, [
    holding([
      0xfffe, 0xfffe, 0xffff, 0xff38, 0x0001, 0x0000, 0, 0x0001, 0, 0, 0xffff, 0xffff, 0xffff, 0xfc18, 0, 7,
    ]),
  ]);
  assert.equal(r.ac_power_w, -2);
  assert.equal(r.dc_power_w, 65534);
  assert.equal(r.grid_power_w, -200);
  assert.equal(r.rated_power_w, 65536);
  assert.equal(r.energy_total_wh, 4294967296);
  assert.equal(r.energy_import_wh, -1000);
  assert.equal(r.energy_export_wh, 7);
});

test('low-word-first 32-bit values are reassembled (Sungrow, Deye)', () => {
  const p = profile({ ac_power_w: { address: 0, type: 'u32', words: 'low-first' } });
  // 70000 W = 0x0001_1170: low word 0x1170 is sent first.
  assert.equal(decodeReading(p, [holding([0x1170, 0x0001])]).ac_power_w, 70000);
  assert.equal(
    decodeReading(profile({ ac_power_w: { address: 0, type: 'u32' } }), [holding([0x1170, 0x0001])])
      .ac_power_w,
    0x11700001,
  );
});

test('1-based documents: addressing 1 reads address N at wire N-1', () => {
  const p = profile(
    { ac_power_w: { address: 5, type: 'u16' } },
    { transport: { addressing: 1 }, blocks: [{ start: 1, count: 10 }] },
  );
  assert.equal(decodeReading(p, [holding([0, 0, 0, 0, 1234, 9999], 0)]).ac_power_w, 1234);
});

test('gain, offset and rounding leave no float noise', () => {
  const p = profile({
    grid_frequency_hz: { address: 0, type: 'u16', gain: 0.01 },
    temperature_c: { address: 1, type: 'u16', gain: 0.1, offset: -100 },
    energy_total_wh: { address: 2, type: 'u32', gain: 10 },
    ac_current_l1_a: { address: 4, type: 's32', gain: 0.001 },
  });
  const r = decodeReading(p, [holding([4999, 1253, 0x0012, 0xd687, 0xffff, 0xe7e5])]);
  assert.equal(r.grid_frequency_hz, 49.99);
  assert.equal(r.temperature_c, 25.3);
  assert.equal(r.energy_total_wh, 12345670);
  assert.equal(r.ac_current_l1_a, -6.171);
  assert.equal(roundToStep(0.1 * 3, 0.1), 0.3);
  assert.equal(roundToStep(1 / 3, 1 / 3), 0.333333333333);
});

test('scale factors: negative, positive, not implemented (0x8000) and out of range make the value absent', () => {
  const p = profile({
    ac_power_w: { address: 0, type: 's16', sf: 1 },
    ac_voltage_l1_v: { address: 2, type: 'u16', sf: 3 },
    grid_frequency_hz: { address: 4, type: 'u16', sf: 5 },
    dc_power_w: { address: 6, type: 's16', sf: 7 },
  });
  const r = decodeReading(p, [holding([0xfb2e, 0xfffe, 23012, 0x0001, 5000, 0x8000, 123, 11])]);
  assert.equal(r.ac_power_w, -12.34); // -1234 · 10^-2
  assert.equal(r.ac_voltage_l1_v, 230120);
  assert.equal('grid_frequency_hz' in r, false);
  assert.equal('dc_power_w' in r, false);
});

test('SunSpec sentinels by type make fields absent, never zero', () => {
  const p = profile({
    ac_power_w: { address: 0, type: 's16' },
    dc_power_w: { address: 1, type: 'u16' },
    grid_power_w: { address: 2, type: 's32' },
    rated_power_w: { address: 4, type: 'u32' },
    energy_total_wh: { address: 6, type: 'u64' },
    energy_import_wh: { address: 10, type: 's64' },
    grid_frequency_hz: { address: 14, type: 'f32' },
    model: { address: 16, type: 'str', size: 4 },
    serial: { address: 20, type: 'str', size: 2 },
  });
  const r = decodeReading(p, [
    holding([
      0x8000, 0xffff, 0x8000, 0, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0x8000, 0, 0, 0, 0x7fc0, 0,
      0, 0, 0, 0, 0xffff, 0xffff,
    ]),
  ]);
  assert.deepEqual(r, { make: 'Test' });
});

test('explicit notImplemented replaces the type defaults; [] disables them', () => {
  const p = profile({
    ac_power_w: { address: 0, type: 'u16', notImplemented: [] },
    dc_power_w: { address: 1, type: 'u16', notImplemented: [0x7fff] },
    energy_total_wh: { address: 2, type: 'acc32', notImplemented: [0] },
    grid_power_w: { address: 4, type: 's16', notImplemented: [-1] },
  });
  const r = decodeReading(p, [holding([0xffff, 0x7fff, 0, 0, 0xffff])]);
  assert.equal(r.ac_power_w, 65535);
  assert.equal('dc_power_w' in r, false);
  assert.equal('energy_total_wh' in r, false);
  assert.equal('grid_power_w' in r, false);
});

test('f32 values, word order, gain; NaN and infinity are absent', () => {
  const p = profile({
    ac_voltage_l1_v: { address: 0, type: 'f32' },
    ac_voltage_l2_v: { address: 2, type: 'f32', words: 'low-first' },
    grid_power_w: { address: 4, type: 'f32', gain: 0.1 },
    ac_voltage_l3_v: { address: 6, type: 'f32' },
  });
  // 230.1 = 0x4366199A; 12345.6 (tenths of W) = 0x4640E666; +Inf = 0x7F800000.
  const r = decodeReading(p, [holding([0x4366, 0x199a, 0x199a, 0x4366, 0x4640, 0xe666, 0x7f80, 0])]);
  assert.equal(r.ac_voltage_l1_v, 230.1);
  assert.equal(r.ac_voltage_l2_v, 230.1);
  assert.equal(r.grid_power_w, 1234.56);
  assert.equal('ac_voltage_l3_v' in r, false);
});

test('strings: ASCII two characters a register, NUL and space padding trimmed; numeric serials become text', () => {
  const p = profile({
    model: { address: 0, type: 'str', size: 4 },
    serial: { address: 4, type: 'u32', notImplemented: [] },
  });
  const r = decodeReading(p, [holding([0x5355, 0x4e32, 0x3030, 0x3020, 0x0000, 0x3039])]);
  assert.equal(r.model, 'SUN2000');
  assert.equal(r.serial, '12345');
});

test('status: mapped codes (hex or decimal keys), unlisted codes are "unknown", sentinels absent', () => {
  const p = profile({ status: { address: 0, type: 'u16', map: { '0x0200': 'producing', '7': 'fault' } } });
  assert.equal(decodeReading(p, [holding([0x0200])]).status, 'producing');
  assert.equal(decodeReading(p, [holding([7])]).status, 'fault');
  assert.equal(decodeReading(p, [holding([3])]).status, 'unknown');
  assert.equal(decodeReading(p, [holding([0xffff])]).status, undefined);
});

test('constants fill fields no register gives; make falls back to the profile make', () => {
  const p = profile(
    { model: { address: 0, type: 'str', size: 2 } },
    { constants: { model: 'Fallback', rated_power_w: 5000 } },
  );
  assert.deepEqual(decodeReading(p, [holding([0x4142, 0])]), {
    model: 'AB',
    rated_power_w: 5000,
    make: 'Test',
  });
  assert.deepEqual(decodeReading(p, [holding([0, 0])]), {
    model: 'Fallback',
    rated_power_w: 5000,
    make: 'Test',
  });
});

test('points whose block was not read, or read with another function code, stay absent', () => {
  const p = profile(
    { ac_power_w: { address: 10, type: 'u16' }, dc_power_w: { address: 0, type: 'u16', function: 4 } },
    {
      blocks: [
        { start: 0, count: 20 },
        { function: 4, start: 0, count: 1 },
      ],
    },
  );
  assert.deepEqual(decodeReading(p, [holding([1, 2, 3], 0)]), { make: 'Test' });
  assert.equal(decodeReading(p, [{ function: 4, start: 0, registers: [42] }]).dc_power_w, 42);
});

test('decodeFrequency reads the frequency from the 10 Hz block alone', () => {
  const p = profile(
    { grid_frequency_hz: { address: 16, type: 'u16', sf: 17 } },
    { frequency: { start: 16, count: 2 } },
  );
  assert.equal(decodeFrequency(p, holding([5002, 0xfffe], 16)), 50.02);
  assert.equal(decodeFrequency(p, holding([5002, 0x8000], 16)), undefined);
  assert.equal(decodeFrequency(profile({}), holding([1], 0)), undefined);
});
