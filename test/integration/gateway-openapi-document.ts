/**
 * The gateway's OpenAPI document for the answer checks (openapi-responses.ts): built from the route
 * table over fake services, as GET /api/openapi.json builds it. In a run of scripts/run-tests.mjs
 * (EGW_TEST_RUN_ID set) the first test process that needs it writes it to a file of that run and the
 * others read it, so a test that only talks to an `egw` child process does not load the whole API
 * (~1 s of CPU) just to check its answers. The API modules are required lazily for the same reason.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as CreateApi from '../../server/src/api/create-api.ts';
import type * as OpenApi from '../../server/src/api/openapi.ts';
import type { OpenApiDocument } from '../../server/src/api/responses/docs-responses.ts';
import type * as Metrics from '../../server/src/observability/metrics.ts';
import type * as FakeServices from '../fakes/gateway-services.ts';

/** Where this run keeps the document; undefined outside scripts/run-tests.mjs. */
export function runDocumentFile(runId = process.env.EGW_TEST_RUN_ID): string | undefined {
  return runId ? join(tmpdir(), `egw-openapi-${runId}.json`) : undefined;
}

function build(): OpenApiDocument {
  // Synchronous require of the ES modules (Node 24): the checks that need the document are synchronous.
  const require = createRequire(import.meta.url);
  const { buildApi } = require('../../server/src/api/create-api.ts') as typeof CreateApi;
  const { buildOpenApi } = require('../../server/src/api/openapi.ts') as typeof OpenApi;
  const { createMetrics } = require('../../server/src/observability/metrics.ts') as typeof Metrics;
  const { createFakeGateway } = require('../fakes/gateway-services.ts') as typeof FakeServices;
  const fake = createFakeGateway({ apiToken: 'openapi-responses' });
  const metrics = createMetrics(fake.services);
  const api = buildApi(fake.services, { bodyLimitBytes: 65_536, corsOrigins: [], metrics });
  const doc = buildOpenApi(api.routes, { version: fake.services.version });
  api.close();
  fake.stop();
  metrics.close();
  return doc;
}

/** The document, from this run's file when there is one. */
export function gatewayOpenApiDocument(): OpenApiDocument {
  const file = runDocumentFile();
  if (file && existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as OpenApiDocument;
  const doc = build();
  if (file) {
    // Written whole under another name, then renamed: a process running beside never reads half a file.
    const partial = `${file}.${process.pid}`;
    writeFileSync(partial, JSON.stringify(doc));
    renameSync(partial, file);
  }
  return doc;
}
