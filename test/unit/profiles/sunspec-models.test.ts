// Checks every point of every SunSpec model the project defines against the SunSpec Alliance's model
// files in ../shared/sunspec (offset, type, size, scale-factor point, model length).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SUNSPEC_MODELS } from '../../../server/src/profiles/sunspec/sunspec-models.ts';
import { spanOf, type SunSpecPoint } from '../../../server/src/profiles/sunspec/sunspec-model.ts';

const REFERENCE_DIR = fileURLToPath(new URL('../../../../shared/sunspec/', import.meta.url));
const present = existsSync(REFERENCE_DIR);
const skip = present
  ? false
  : `SunSpec reference folder ${REFERENCE_DIR} is absent: model definitions not checked`;

interface RefPoint {
  name: string;
  type: string;
  size?: number;
  sf?: string;
}
interface RefGroup {
  name: string;
  points: RefPoint[];
  groups?: RefGroup[];
}

/** Reference points with their offsets, laid out as the SunSpec files define them. */
function refLayout(points: readonly RefPoint[]): Map<string, RefPoint & { offset: number }> {
  let offset = 0;
  const out = new Map<string, RefPoint & { offset: number }>();
  for (const p of points) {
    out.set(p.name, { ...p, offset });
    offset += p.size ?? 1;
  }
  return out;
}

function compare(
  modelId: number,
  ours: readonly SunSpecPoint[],
  ref: readonly RefPoint[],
  where: string,
): void {
  const byName = refLayout(ref);
  for (const point of ours) {
    const r = byName.get(point.name);
    assert.ok(r, `model ${modelId} ${where}: point ${point.name} is not in the reference`);
    const label = `model ${modelId} ${where} ${point.name}`;
    assert.equal(point.offset, r.offset, `${label}: offset`);
    assert.equal(point.type, r.type, `${label}: type`);
    assert.equal(point.size, r.size ?? 1, `${label}: size`);
    assert.equal(point.sf, r.sf, `${label}: scale-factor point`);
  }
  assert.equal(
    ours.length,
    ref.length,
    `model ${modelId} ${where}: the project defines every reference point`,
  );
}

for (const [id, model] of SUNSPEC_MODELS) {
  test(`SunSpec model ${id} (${model.name}) matches the SunSpec Alliance definition`, { skip }, () => {
    const file = `${REFERENCE_DIR}model_${id}.json`;
    const ref = JSON.parse(readFileSync(file, 'utf8')) as { id: number; group: RefGroup };
    assert.equal(ref.id, id);
    compare(id, model.points, ref.group.points, 'fixed part');
    const refLength = [...refLayout(ref.group.points).values()].reduce((n, p) => n + (p.size ?? 1), 0) - 2;
    assert.equal(model.length, refLength, `model ${id}: length L of the fixed part`);
    assert.equal(spanOf(model.points), model.length + 2, `model ${id}: points fill the model`);
    const refRepeat = ref.group.groups?.[0];
    assert.equal(model.repeating === undefined, refRepeat === undefined, `model ${id}: repeating group`);
    if (model.repeating && refRepeat) {
      compare(id, model.repeating.points, refRepeat.points, `group ${refRepeat.name}`);
      assert.equal(spanOf(model.repeating.points), model.repeating.length, `model ${id}: group length`);
    }
  });
}
