// Byte-level fixtures for every built-in profile: registers written by hand at WIRE addresses, as a device
// would send them, decoded into the expected canonical reading. Each covers the brand's traps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeReading, type DecodedReading } from '../../../server/src/profiles/decode.ts';
import { ProfileRegistry } from '../../../server/src/profiles/profile-registry.ts';
import { fixtureBlocks } from './image-blocks.ts';

const registry = ProfileRegistry.load();

/** Words of an unsigned 32-bit value, high word first. */
const u32 = (n: number): number[] => [Math.floor(n / 65536) & 0xffff, n & 0xffff];
/** Words of a signed 32-bit value, high word first. */
const s32 = (n: number): number[] => u32(n < 0 ? n + 2 ** 32 : n);
/** Low word first (Sungrow, Deye). */
const lowFirst = (words: number[]): number[] => [...words].reverse();
const s16 = (n: number): number[] => [n < 0 ? n + 0x10000 : n];
/** An IEEE-754 single as two words, high first. */
function f32(value: number): number[] {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, value);
  return [view.getUint16(0), view.getUint16(2)];
}
/** ASCII, two characters a register, NUL padded to `size` registers. */
function ascii(text: string, size: number): number[] {
  return Array.from(
    { length: size },
    (_, i) => ((text.charCodeAt(2 * i) || 0) << 8) | (text.charCodeAt(2 * i + 1) || 0),
  );
}

function decode(id: string, words: Record<string, number[]>): DecodedReading {
  const profile = registry.get(id);
  return decodeReading(profile, fixtureBlocks(profile, words));
}
function expectFields(reading: DecodedReading, expected: DecodedReading, absent: string[] = []): void {
  for (const [field, value] of Object.entries(expected)) {
    assert.deepEqual((reading as Record<string, unknown>)[field], value, field);
  }
  for (const field of absent) assert.equal(field in reading, false, `${field} must be absent`);
}

test('huawei: kW·1000 integers are W, kWh/100 energy, s32 currents, status codes', () => {
  const r = decode('huawei', {
    30000: ascii('SUN2000-5KTL-M1', 15),
    30015: ascii('HV2150012345', 10),
    30073: u32(5000),
    32016: [6123, 845],
    32069: [2301, 2298, 2312],
    32072: [...s32(6123), ...s32(-12)],
    32080: s32(-150),
    32085: [5002],
    32087: s16(-34),
    32089: [0x0200],
    32106: u32(1234567),
  });
  expectFields(r, {
    make: 'Huawei',
    model: 'SUN2000-5KTL-M1',
    serial: 'HV2150012345',
    rated_power_w: 5000,
    pv1_voltage_v: 612.3,
    pv1_current_a: 8.45,
    ac_voltage_l1_v: 230.1,
    ac_voltage_l3_v: 231.2,
    ac_current_l1_a: 6.123,
    ac_current_l2_a: -0.012,
    ac_power_w: -150,
    grid_frequency_hz: 50.02,
    temperature_c: -3.4,
    status: 'producing',
    energy_total_wh: 12345670,
  });
  // Huawei marks invalid signed values 0x7FFF / 0x7FFFFFFF (not the SunSpec 0x8000 values).
  const invalid = decode('huawei', { 32080: [0x7fff, 0xffff], 32087: [0x7fff], 32089: [0xa001] });
  expectFields(invalid, { status: 'sleeping' }, ['ac_power_w', 'temperature_c']);
});

test('sungrow: 1-based document addresses, input registers, 32-bit low word first', () => {
  // Document 5031 is wire 5030; 70000 W = 0x0001_1170 arrives as 0x1170, 0x0001.
  const r = decode('sungrow', {
    '4:4989': ascii('A2231234567', 10),
    '4:5000': [50],
    '4:5003': lowFirst(u32(123456)),
    '4:5007': s16(-52),
    '4:5010': [6123, 84],
    '4:5016': lowFirst(u32(71234)),
    '4:5030': lowFirst(u32(70000)),
    '4:5035': [499],
    '4:5037': [0x8100],
  });
  expectFields(r, {
    serial: 'A2231234567',
    rated_power_w: 5000,
    energy_total_wh: 123456000,
    temperature_c: -5.2,
    pv1_voltage_v: 612.3,
    pv1_current_a: 8.4,
    dc_power_w: 71234,
    ac_power_w: 70000,
    grid_frequency_hz: 49.9,
    status: 'throttled',
  });
});

test('growatt: input registers in tenths, identity in holding registers', () => {
  const r = decode('growatt', {
    '4:0': [1],
    '4:35': u32(43215),
    '4:37': [5001],
    '4:55': u32(123456),
    '4:93': [452],
    '3:6': u32(50000),
    '3:23': ascii('AB12345678', 5),
  });
  expectFields(r, {
    status: 'producing',
    ac_power_w: 4321.5,
    grid_frequency_hz: 50.01,
    energy_total_wh: 12345600,
    temperature_c: 45.2,
    rated_power_w: 5000,
    serial: 'AB12345678',
  });
});

test('sma: NaN values 0x80000000 / 0xFFFFFFFF / 0x00FFFFFD are absent (a sleeping Sunny Boy)', () => {
  const night = decode('sma', {
    30057: u32(3001234567),
    30201: u32(0x00fffffd),
    30529: u32(98765432),
    30773: u32(0x80000000),
    30775: u32(0x80000000),
    30783: u32(0xffffffff),
    30803: u32(0xffffffff),
  });
  expectFields(night, { serial: '3001234567', energy_total_wh: 98765432 }, [
    'status',
    'dc_power_w',
    'ac_power_w',
    'ac_voltage_l1_v',
    'grid_frequency_hz',
  ]);
  const day = decode('sma', {
    30201: u32(307),
    30775: s32(4321),
    30783: u32(23012),
    30803: u32(5002),
    30953: s32(452),
    30977: s32(6543),
  });
  expectFields(day, {
    status: 'producing',
    ac_power_w: 4321,
    ac_voltage_l1_v: 230.12,
    grid_frequency_hz: 50.02,
    temperature_c: 45.2,
    ac_current_l1_a: 6.543,
  });
});

test('solaredge: negative and positive scale factors, sf 0x8000 and acc32 0 make values absent', () => {
  const r = decode('solaredge', {
    40004: ascii('SolarEdge ', 16),
    40072: [1234, 1230, 1240, ...s16(-2)],
    40079: [2301, 2302, 2303, ...s16(-1)],
    40083: [23456, ...s16(-1), 50010, ...s16(-3)],
    40093: [...u32(100000), 2],
    40100: [1234, 0x8000],
    40103: [4512, 0, 0, ...s16(-2), 4],
  });
  expectFields(
    r,
    {
      make: 'SolarEdge',
      ac_current_l1_a: 12.34,
      ac_voltage_l3_v: 230.3,
      ac_power_w: 2345.6,
      grid_frequency_hz: 50.01,
      energy_total_wh: 10000000,
      temperature_c: 45.12,
      status: 'producing',
    },
    ['dc_power_w'],
  );
  assert.equal('energy_total_wh' in decode('solaredge', { 40093: u32(0) }), false);
});

test('solaredge-meter: SolarEdge counts export positive, the reading counts import positive', () => {
  const r = decode('solaredge-meter', {
    40206: [1500],
    40210: [0],
    40226: u32(5000),
    40234: u32(0),
    40242: [1],
  });
  expectFields(r, { grid_power_w: -1500, energy_export_wh: 50000 }, ['energy_import_wh']);
});

test('fronius: SunSpec float32 values; NaN (temperature not implemented) is absent', () => {
  const r = decode('fronius', {
    40004: ascii('Fronius', 16),
    40091: f32(3456.5),
    40093: f32(50.02),
    40101: f32(12345678),
    40109: [0x7fc0, 0],
    40117: [4],
    40134: [8200, 0],
  });
  expectFields(
    r,
    {
      make: 'Fronius',
      ac_power_w: 3456.5,
      grid_frequency_hz: 50.02,
      energy_total_wh: 12345678,
      status: 'producing',
      rated_power_w: 8200,
    },
    ['temperature_c'],
  );
});

test('goodwe: signed 16-bit power, 0.1 kWh energy, work mode', () => {
  const r = decode('goodwe', {
    35003: ascii('95000ETU123W0001', 8),
    35123: [4998],
    35138: s16(-200),
    35174: [385],
    35187: [1],
    35191: u32(123456),
  });
  expectFields(r, {
    serial: '95000ETU123W0001',
    grid_frequency_hz: 49.98,
    ac_power_w: -200,
    temperature_c: 38.5,
    status: 'producing',
    energy_total_wh: 12345600,
  });
});

test('solis: 1-based document addresses (document 3005 is wire 3004), kWh energy', () => {
  const r = decode('solis', {
    '4:3004': u32(4321),
    '4:3008': u32(12345),
    '4:3033': [2312],
    '4:3041': [412, 5001, 3],
  });
  expectFields(r, {
    ac_power_w: 4321,
    energy_total_wh: 12345000,
    ac_voltage_l1_v: 231.2,
    temperature_c: 41.2,
    grid_frequency_hz: 50.01,
    status: 'producing',
  });
});

test('deye: low word first energy, temperature offset by 1000, signed power', () => {
  const r = decode('deye', {
    3: ascii('2305123456', 5),
    500: [2],
    534: lowFirst(u32(123456)),
    541: [1253],
    609: [5002],
    630: [1234],
    636: s16(-500),
  });
  expectFields(r, {
    serial: '2305123456',
    status: 'producing',
    energy_total_wh: 12345600,
    temperature_c: 25.3,
    grid_frequency_hz: 50.02,
    ac_current_l1_a: 12.34,
    ac_power_w: -500,
  });
});

test('sdm630: float32 input registers, export negative, NaN absent, serial from holding 0xFC00', () => {
  const r = decode('sdm630', {
    '4:0': f32(230.1),
    '4:52': f32(-1234.5),
    '4:70': [...f32(50.02), ...f32(1234.5), 0x7fc0, 0],
    '3:64512': u32(12345678),
  });
  expectFields(
    r,
    {
      ac_voltage_l1_v: 230.1,
      grid_power_w: -1234.5,
      grid_frequency_hz: 50.02,
      energy_import_wh: 1234500,
      serial: '12345678',
    },
    ['energy_export_wh'],
  );
});

test('dtsu666: float32 in scaled units (0.1 V, 0.1 W, 0.01 Hz), kWh energies', () => {
  const r = decode('dtsu666', {
    0x2006: f32(2301),
    0x200c: f32(6543),
    0x2012: f32(-12345),
    0x2044: f32(5002),
    0x401e: f32(1234.56),
    0x4028: f32(7.5),
  });
  expectFields(r, {
    make: 'CHINT',
    ac_voltage_l1_v: 230.1,
    ac_current_l1_a: 6.543,
    grid_power_w: -1234.5,
    grid_frequency_hz: 50.02,
    energy_import_wh: 1234560,
    energy_export_wh: 7500,
  });
});

test('every profile decoding the frequency has a frequency block holding it; blocks of at most 125 registers', () => {
  for (const profile of registry.list()) {
    for (const block of profile.blocks) assert.ok(block.count <= 125, `${profile.id} block ${block.start}`);
    // A battery monitor or a GX system overview reports no grid frequency of its own.
    if (!('grid_frequency_hz' in profile.points)) continue;
    assert.ok(profile.frequency, `${profile.id} frequency block`);
    assert.ok(profile.frequency.count <= 4, `${profile.id} frequency block is small`);
    for (const block of profile.blocks) assert.ok(block.count <= 125, `${profile.id} block ${block.start}`);
  }
});
