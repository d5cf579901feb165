import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { configKeys, envVarFor, objectKeysAt, upperSnake } from '../../../server/src/config/config-keys.ts';

describe('configKeys', () => {
  it('derives EGW_<PATH> variable names in upper snake case', () => {
    assert.equal(upperSnake('bodyLimitBytes'), 'BODY_LIMIT_BYTES');
    assert.equal(envVarFor('dataDir'), 'EGW_DATA_DIR');
    assert.equal(envVarFor('harvest.intervalMs'), 'EGW_HARVEST_INTERVAL_MS');
    const vars = new Map(configKeys().map((k) => [k.path, k.envVar]));
    assert.equal(vars.get('http.port'), 'EGW_HTTP_PORT');
    assert.equal(vars.get('ingest.url'), 'EGW_INGEST_URL');
    assert.equal(vars.get('mqtt.url'), 'EGW_MQTT_URL');
    assert.equal(vars.get('devices'), 'EGW_DEVICES');
  });

  it('gives every key of the gateway schema a unique variable and a description', () => {
    const keys = configKeys();
    assert.equal(new Set(keys.map((k) => k.envVar)).size, keys.length);
    for (const key of keys) assert.ok(key.description, `${key.path} has a description in schema.ts`);
  });

  it('reads kinds, bounds, defaults and descriptions through wrappers', () => {
    const schema = z.object({
      a: z.object({ n: z.number().int().min(1).max(9).default(3).describe('n things') }).prefault({}),
      b: z.boolean().optional(),
      c: z.enum(['x', 'y']).default('x'),
      d: z.array(z.string()).default([]),
      e: z.number().min(0),
    });
    const keys = configKeys(schema);
    assert.deepEqual(
      keys.map((k) => [k.path, k.kind, k.type, k.hasDefault, k.defaultValue, k.optional, k.description]),
      [
        ['a.n', 'number', 'integer 1–9', true, 3, false, 'n things'],
        ['b', 'boolean', 'boolean', false, undefined, true, ''],
        ['c', 'enum', '`x` \\| `y`', true, 'x', false, ''],
        ['d', 'json', 'JSON array', true, [], false, ''],
        ['e', 'number', 'number ≥ 0', false, undefined, false, ''],
      ],
    );
    assert.equal(keys[0]!.expected, 'an integer from 1 to 9');
  });

  it("checks one value of a key against the whole schema, with the schema's own message", () => {
    const keys = new Map(configKeys().map((k) => [k.path, k]));
    assert.equal(keys.get('http.port')!.check(8080), undefined);
    assert.ok(keys.get('http.port')!.check(70_000));
    assert.equal(keys.get('ingest.url')!.check('https://ingest.example/batches'), undefined);
    assert.match(keys.get('ingest.url')!.check('ftp://x') ?? '', /http:\/\/ or https:\/\//);
  });

  it('lists the keys of each object of the schema, for refusing misspelt ones', () => {
    assert.ok(objectKeysAt([])?.includes('http'));
    assert.deepEqual(objectKeysAt(['log']), ['level', 'pretty']);
    assert.equal(objectKeysAt(['http', 'port']), undefined);
  });
});
