import { it } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { ValidationError } from '../../../server/src/core/errors.ts';
import { validateInput } from '../../../server/src/api/validate-input.ts';

const schema = z.strictObject({ a: z.strictObject({ b: z.number().max(3) }).optional() });

function fieldOf(value: unknown): string | undefined {
  try {
    validateInput(schema, value, 'body');
    return undefined;
  } catch (error) {
    assert.ok(error instanceof ValidationError);
    assert.equal(error.status, 400);
    return error.where.field;
  }
}

it('names nested fields, unknown keys and the body itself', () => {
  assert.equal(fieldOf({ a: { b: 9 } }), 'a.b');
  assert.equal(fieldOf({ a: { b: 1, c: 1 } }), 'a.c');
  assert.equal(fieldOf({ x: 1 }), 'x');
  assert.equal(fieldOf(5), 'body');
  assert.equal(fieldOf({ a: { b: 1 } }), undefined);
});

it('names an empty key visibly', () => {
  assert.equal(fieldOf({ '': 1 }), '""');
});

it('the message says where and what', () => {
  assert.throws(() => validateInput(schema, { a: { b: 9 } }, 'body'), /body field "a\.b": Too big/);
});
