import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateComputed, solveComputed } from '../../../server/src/profiles/computed-fields.ts';
import { encodeReading } from '../../../server/src/profiles/encode.ts';
import { decodeReading } from '../../../server/src/profiles/decode.ts';
import { parseProfile } from '../../../server/src/profiles/profile-loader.ts';
import { readBlocks } from './image-blocks.ts';

const values = new Map([
  ['a', 0.1],
  ['b', 0.2],
  ['c', 5],
]);
const valueOf = (name: string): number | undefined => values.get(name);

test('sum, difference and sign flip; absent when an operand is absent', () => {
  assert.equal(evaluateComputed({ sum: ['a', 'b'] }, valueOf), 0.3);
  assert.equal(evaluateComputed({ difference: ['c', 'b'] }, valueOf), 4.8);
  assert.equal(evaluateComputed({ negate: 'c' }, valueOf), -5);
  assert.equal(evaluateComputed({ sum: ['a', 'missing'] }, valueOf), undefined);
  // c = 5 = 0b101: bit 2 set → negative; bit 1 clear → positive.
  assert.equal(evaluateComputed({ magnitude: 'c', negativeWhen: { term: 'c', bit: 2 } }, valueOf), -5);
  assert.equal(evaluateComputed({ magnitude: 'c', negativeWhen: { term: 'c', bit: 1 } }, valueOf), 5);
});

test('the encoder solves for operands the values lack', () => {
  assert.deepEqual(
    [...solveComputed({ sum: ['x', 'c'] }, 12, valueOf)],
    [
      ['x', 7],
      ['c', 5],
    ],
  );
  assert.deepEqual(
    [...solveComputed({ difference: ['x', 'c'] }, 12, valueOf)],
    [
      ['c', 5],
      ['x', 17],
    ],
  );
  assert.deepEqual([...solveComputed({ negate: 'x' }, 12, valueOf)], [['x', -12]]);
  const signed = { magnitude: 'm', negativeWhen: { term: 's', bit: 2 } };
  assert.deepEqual(
    [...solveComputed(signed, -300, valueOf)],
    [
      ['m', 300],
      ['s', 4],
    ],
  );
  assert.deepEqual(
    [...solveComputed(signed, 300, valueOf)],
    [
      ['m', 300],
      ['s', 0],
    ],
  );
});

const YAML = `
id: computed
make: Test
blocks: [{ start: 0, count: 6 }]
points:
  load_power_w: { address: 0, type: u16 }
  ac_power_w: { address: 1, type: u16 }
terms:
  pv1_power: { address: 2, type: u16 }
  pv2_power: { address: 3, type: u16 }
  grid_export: { address: 4, type: s16 }
computed:
  dc_power_w: { sum: [pv1_power, pv2_power] }
  grid_power_w: { negate: grid_export }
  battery_power_w: { difference: [ac_power_w, load_power_w] }
`;

test('computed fields round-trip through the encoder and decoder', () => {
  const profile = parseProfile(YAML, 'computed.yaml');
  const reading = { load_power_w: 800, dc_power_w: 3001, grid_power_w: -1200, battery_power_w: 1000 };
  const decoded = decodeReading(profile, readBlocks(profile, encodeReading(profile, reading)));
  // Each 1 W term rounds its half (1500.5 W): the sum is within the two terms' resolution.
  assert.ok(Math.abs(decoded.dc_power_w! - 3001) <= 1, `dc ${decoded.dc_power_w}`);
  assert.equal(decoded.grid_power_w, -1200);
  assert.equal(decoded.battery_power_w, 1000);
  assert.equal(decoded.ac_power_w, 1800);
});

test('the loader names a computed operand that does not exist', () => {
  const broken = YAML.replace('[pv1_power, pv2_power]', '[pv1_power, pv9_power]');
  assert.throws(() => parseProfile(broken, 'computed.yaml'), /computed\.dc_power_w: "pv9_power" is neither/);
  const both = YAML.replace(
    'load_power_w: { address: 0',
    'dc_power_w: { address: 5, type: u16 }\n  load_power_w: { address: 0',
  );
  assert.throws(() => parseProfile(both, 'computed.yaml'), /computed\.dc_power_w: is also a point/);
});
