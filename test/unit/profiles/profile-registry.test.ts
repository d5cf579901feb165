import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProfileError } from '../../../server/src/core/errors.ts';
import { parseProfile } from '../../../server/src/profiles/profile-loader.ts';
import { ProfileRegistry } from '../../../server/src/profiles/profile-registry.ts';

const BUILTIN = [
  'deye',
  'deye-1p',
  'dtsu666',
  'em24',
  'em340',
  'fronius',
  'fronius-gen24',
  'goodwe',
  'growatt',
  'growatt-tl-xh',
  'huawei',
  'huawei-luna',
  'kostal-plenticore',
  'sdm120',
  'sdm630',
  'sdm72',
  'sma',
  'sofar',
  'solaredge',
  'solaredge-battery',
  'solaredge-meter',
  'solax-x1',
  'solax-x3',
  'solis',
  'sungrow',
  'sungrow-sh',
  'victron-battery',
  'victron-gx',
  'victron-vebus',
];

function withDir(files: Record<string, string>, body: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'egw-profiles-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const MINIMAL = `id: mine
make: Mine
blocks: [{ start: 100, count: 4 }]
frequency: { start: 101, count: 1 }
points:
  ac_power_w: { address: 100, type: s16 }
  grid_frequency_hz: { address: 101, type: u16, gain: 0.01 }
`;

test('loads every built-in profile; sunspec is listed as discovered, not loaded', () => {
  const registry = ProfileRegistry.load();
  assert.deepEqual(
    registry.list().map((p) => p.id),
    BUILTIN,
  );
  assert.deepEqual(registry.ids(), [...BUILTIN, 'sunspec'].sort());
  assert.equal(registry.isDiscovered('sunspec'), true);
  assert.equal(registry.isDiscovered('huawei'), false);
  assert.equal(registry.has('sunspec'), true);
  assert.equal(registry.get('huawei').make, 'Huawei');
});

test('get() of an unknown id names it and the known ids; of sunspec says it is discovered', () => {
  const registry = ProfileRegistry.load();
  assert.throws(
    () => registry.get('kostal'),
    (e: unknown) =>
      e instanceof ProfileError && /unknown profile "kostal"; known: deye, .*huawei.*sunspec/.test(e.message),
  );
  assert.throws(() => registry.get('sunspec'), /discovered at run time/);
});

test('loads a user directory of YAML and JSON files; a user file may replace a built-in id', () => {
  const json = JSON.stringify({ id: 'json-one', make: 'J', blocks: [{ start: 0, count: 1 }], points: {} });
  const huawei = MINIMAL.replace('id: mine', 'id: huawei').replace('make: Mine', 'make: Patched');
  withDir(
    { 'mine.yaml': MINIMAL, 'other.json': json, 'patch.yml': huawei, 'readme.txt': 'ignored' },
    (dir) => {
      const registry = ProfileRegistry.load({ extraDir: dir });
      assert.equal(registry.get('mine').points.grid_frequency_hz?.gain, 0.01);
      assert.equal(registry.get('json-one').make, 'J');
      assert.equal(registry.get('huawei').make, 'Patched');
    },
  );
});

test('user files: duplicate ids, the reserved sunspec id and a missing directory are refused', () => {
  withDir({ 'a.yaml': MINIMAL, 'b.yaml': MINIMAL }, (dir) => {
    assert.throws(() => ProfileRegistry.load({ extraDir: dir }), /b\.yaml: id: "mine" is defined twice/);
  });
  withDir({ 'a.yaml': MINIMAL.replace('id: mine', 'id: sunspec') }, (dir) => {
    assert.throws(() => ProfileRegistry.load({ extraDir: dir }), /a\.yaml: id: "sunspec" is reserved/);
  });
  assert.throws(
    () => ProfileRegistry.load({ extraDir: '/nonexistent/egw' }),
    /cannot read profile directory/,
  );
});

/** Asserts that parsing `text` fails with a ProfileError naming the file and `field`. */
function rejects(text: string, field: string, pattern: RegExp): void {
  assert.throws(
    () => parseProfile(text, 'bad.yaml'),
    (e: unknown) =>
      e instanceof ProfileError &&
      e.where.file === 'bad.yaml' &&
      e.where.field === field &&
      pattern.test(e.message),
  );
}

test('schema errors name the file and the field', () => {
  rejects(
    MINIMAL.replace('type: s16', 'type: s17'),
    'points.ac_power_w.type',
    /bad\.yaml: points\.ac_power_w\.type/,
  );
  rejects(MINIMAL.replace('count: 4', 'count: 126'), 'blocks.0.count', /blocks\.0\.count/);
  rejects(MINIMAL.replace('id: mine', 'id: Mine!'), 'id', /id/);
  rejects(MINIMAL.replace('ac_power_w:', 'ac_power_kw:'), 'points.ac_power_kw', /points\.ac_power_kw/);
  rejects(
    MINIMAL + '  status: { address: 102, type: u16, map: { "1": running } }\n',
    'points.status.map.1',
    /map/,
  );
});

test('register checks: points outside blocks, scale factors in another block, bad frequency block', () => {
  rejects(
    MINIMAL.replace('address: 100', 'address: 200'),
    'points.ac_power_w.address',
    /register 200 .* is in no block/,
  );
  const sfElsewhere = MINIMAL.replace(
    'blocks: [{ start: 100, count: 4 }]',
    'blocks: [{ start: 100, count: 4 }, { start: 300, count: 1 }]',
  ).replace('type: s16 }', 'type: s16, sf: 300 }');
  rejects(sfElsewhere, 'points.ac_power_w.sf', /scale factor 300 is not read in the same block/);
  rejects(
    MINIMAL.replace('frequency: { start: 101, count: 1 }', 'frequency: { start: 100, count: 1 }'),
    'frequency',
    /must hold grid_frequency_hz/,
  );
  rejects(MINIMAL.replace('type: s16 }', 'type: str }'), 'points.ac_power_w.size', /needs a size/);
  rejects(MINIMAL + 'constants: { rated_power_w: "5 kW" }\n', 'constants.rated_power_w', /not a valid value/);
  rejects(
    MINIMAL.replace('type: s16 }', 'type: u16, map: { "1": producing } }'),
    'points.ac_power_w.map',
    /only status/,
  );
  rejects(
    MINIMAL.replace('function: 3', '').replace('type: s16 }', 'type: s16, function: 4 }'),
    'points.ac_power_w.address',
    /function 4\) is in no block/,
  );
});

test('YAML syntax errors name the file', () => {
  assert.throws(() => parseProfile('id: [unclosed', 'broken.yaml'), /broken\.yaml: not valid YAML\/JSON/);
});

test('misspelt top-level keys are reported, not dropped', () => {
  rejects(MINIMAL.replace('frequency:', 'frequncy:'), 'frequncy', /frequncy/);
});
