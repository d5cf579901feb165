import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Validator } from '@seriousme/openapi-schema-validator';
import { buildApi } from '../../../server/src/api/create-api.ts';
import { openApiPath } from '../../../server/src/api/openapi.ts';
import { startHarness, type Harness } from './api-harness.ts';
import { gatewayOpenApi } from '../openapi-responses.ts';

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

it('every 2xx answer has a real schema, JSON ones from the handlers’ zod schemas', async () => {
  const doc = (await h.request('GET', '/api/openapi.json')).json;
  type Operation = {
    responses: Record<string, { content: Record<string, { schema: Record<string, unknown> }> }>;
  };
  for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, Operation>>)) {
    for (const [method, op] of Object.entries(ops)) {
      const success = Object.entries(op.responses).filter(([status]) => status.startsWith('2'));
      assert.equal(success.length, 1, `${method} ${path}: one success status`);
      for (const [type, { schema }] of Object.entries(success[0]![1].content)) {
        // JSON answers refer to a named component; text, HTML and event streams are strings.
        const ref = typeof schema.$ref === 'string' ? schema.$ref : undefined;
        const resolved = ref ? doc.components.schemas[ref.replace('#/components/schemas/', '')] : schema;
        assert.ok(resolved?.type ?? resolved?.oneOf, `${method} ${path} ${type}: ${JSON.stringify(schema)}`);
        assert.equal(type === 'application/json', ref !== undefined, `${method} ${path} ${type}`);
        if (ref) assert.notDeepEqual(resolved, {}, `${method} ${path}: not the empty schema`);
      }
    }
  }
  const ref = doc.paths['/api/devices/{id}/reading'].get.responses['200'].content['application/json'].schema;
  assert.deepEqual(ref, { $ref: '#/components/schemas/Reading' });
  const reading = doc.components.schemas.Reading;
  assert.equal(reading.properties.ac_power_w.type, 'number');
  assert.equal(
    reading.additionalProperties,
    false,
    'answers are closed: an undocumented field fails validation',
  );
});

it('the served document is the one the tests validate answers against', async () => {
  const served = (await h.request('GET', '/api/openapi.json')).json;
  assert.deepEqual(served, JSON.parse(JSON.stringify(gatewayOpenApi())));
});

it('redocly lint with the recommended rules reports no errors', async () => {
  const doc = (await h.request('GET', '/api/openapi.json')).json;
  const dir = mkdtempSync(join(tmpdir(), 'egw-openapi-'));
  try {
    const file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(doc));
    const cli = createRequire(import.meta.url).resolve('@redocly/cli/bin/cli.js');
    // Offline and quiet: no telemetry, no update check (CI has only the npm registry).
    const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' };
    const run = await promisify(execFile)(
      process.execPath,
      [cli, 'lint', file, '--extends=recommended', '--format=json'],
      { env, maxBuffer: 16 * 2 ** 20 },
    ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
    const report = JSON.parse(run.stdout) as {
      totals: { errors: number; warnings: number };
      problems: { ruleId: string; severity: string; message: string; location: { pointer: string }[] }[];
    };
    const errors = report.problems
      .filter((p) => p.severity === 'error')
      .map((p) => `${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`);
    assert.deepEqual(errors, []);
    assert.equal(report.totals.errors, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
