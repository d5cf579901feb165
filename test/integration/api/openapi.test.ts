import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { Validator } from '@seriousme/openapi-schema-validator';
import { buildApi } from '../../../server/src/api/create-api.ts';
import { openApiPath } from '../../../server/src/api/openapi.ts';
import { startHarness, type Harness } from './api-harness.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.close());

it('GET /api/openapi.json validates as OpenAPI 3.1', async () => {
  const doc = (await h.request('GET', '/api/openapi.json')).json;
  assert.equal(doc.openapi, '3.1.0');
  const validator = new Validator();
  const result = await validator.validate(doc);
  assert.equal(validator.version, '3.1');
  assert.deepEqual(result.errors ?? [], []);
  assert.equal(result.valid, true);
});

it('lists every route the app serves, with the right methods and security', async () => {
  const doc = (await h.request('GET', '/api/openapi.json')).json;
  const { routes } = buildApi(h.fake.services, {
    bodyLimitBytes: 65_536,
    corsOrigins: [],
    metrics: h.metrics,
  });
  const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(
    ([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
  );
  const served = routes.map((r) => `${r.method} ${openApiPath(r.path)}`);
  assert.deepEqual(documented.sort(), served.sort());
  for (const call of [
    'GET /api/hello',
    'GET /api/version',
    'GET /api/uptime',
    'GET /api/crypto',
    'GET /api/name',
    'GET /api/devices',
    'POST /api/devices',
    'POST /api/inverter',
    'GET /api/devices/{id}',
    'DELETE /api/devices/{id}',
    'GET /api/devices/{id}/reading',
    'GET /api/devices/{id}/frequency',
    'GET /api/stats',
    'GET /api/harvests',
    'GET /api/settings',
    'POST /api/settings',
    'GET /api/wifi',
    'POST /api/wifi',
    'POST /api/initialize',
    'GET /api/events',
    'GET /metrics',
    'GET /api/openapi.json',
    'GET /docs',
    'GET /',
  ]) {
    assert.ok(documented.includes(call), `${call} is documented`);
  }
});

it('request bodies and queries come from the validating schemas', async () => {
  const doc = (await h.request('GET', '/api/openapi.json')).json;
  const add = doc.paths['/api/devices'].post;
  const variants = add.requestBody.content['application/json'].schema.oneOf;
  assert.deepEqual(
    variants.map((v: { properties: { type: { const: string } } }) => v.properties.type.const),
    ['tcp', 'rtu'],
  );
  assert.equal(variants[0].properties.port.maximum, 65535);
  const limit = doc.paths['/api/harvests'].get.parameters.find((p: { name: string }) => p.name === 'limit');
  assert.equal(limit.in, 'query');
  assert.equal(limit.schema.maximum, 1000);
  assert.deepEqual(add.security, [{ bearer: [] }]);
  assert.deepEqual(doc.paths['/api/stats'].get.security, [], 'public operations say so');
  assert.deepEqual(doc.servers, [{ url: '/', description: 'this gateway' }]);
  assert.equal(doc.info.license.identifier, 'MIT');
});
