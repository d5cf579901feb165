import { it } from 'node:test';
import assert from 'node:assert/strict';
import { deriveName } from '../../../server/src/identity/derive-name.ts';
import { ADJECTIVES } from '../../../server/src/identity/adjectives.ts';
import { ANIMALS } from '../../../server/src/identity/animals.ts';

it('derives the same adjective-adjective-animal name from the same serial', () => {
  const name = deriveName('EGW-3F9A12BC');
  assert.equal(deriveName('EGW-3F9A12BC'), name);
  const [a, b, animal] = name.split('-');
  assert.ok(ADJECTIVES.includes(a!) && ADJECTIVES.includes(b!) && ANIMALS.includes(animal!), name);
  assert.notEqual(a, b);
});

it('gives different serials different names (few collisions over 2 000 serials)', () => {
  const names = new Set(
    Array.from({ length: 2000 }, (_, i) => deriveName(`EGW-${i.toString(16).padStart(8, '0')}`)),
  );
  assert.ok(names.size > 1990, `${names.size} distinct`);
});

it('word lists have no duplicates and only lower-case letters', () => {
  for (const list of [ADJECTIVES, ANIMALS]) {
    assert.equal(new Set(list).size, list.length);
    assert.ok(list.every((w) => /^[a-z]+$/.test(w)));
  }
});
