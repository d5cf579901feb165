/**
 * Builds the OpenAPI 3.1 document from the route table: the request schemas that validate requests
 * become requestBody and parameter schemas, and the response schemas the handlers' answers are typed
 * against become the response schemas, through z.toJSONSchema (JSON Schema 2020-12, the dialect of
 * OpenAPI 3.1), so the document describes exactly what is enforced and answered.
 */
import { z } from 'zod';
import { isHeavyRead, isSheddable } from './load-shedding.ts';
import { requiresAuth, type AnyRoute } from './route-spec.ts';
import { answersJson, responseComponents, type ResponseComponents } from './response-components.ts';
import type { OpenApiDocument } from './responses/docs-responses.ts';

type JsonObject = Record<string, unknown>;

/**
 * The JSON Schema of a zod schema. Requests are described as accepted (`input`: defaults optional,
 * objects open unless strict); answers as produced (`output`: objects closed, so a field a handler
 * adds without its schema fails the integration tests' response validation).
 */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): JsonObject {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonObject;
  return rest;
}

/** "/api/devices/:id" → "/api/devices/{id}". */
export function openApiPath(koaPath: string): string {
  return koaPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function parameters(route: AnyRoute): JsonObject[] {
  const list: JsonObject[] = [];
  const params = (route.params?.shape ?? {}) as Record<string, z.ZodType>;
  for (const [name, schema] of Object.entries(params)) {
    list.push({ name, in: 'path', required: true, schema: jsonSchema(schema) });
  }
  const query = route.query instanceof z.ZodObject ? (route.query.shape as Record<string, z.ZodType>) : {};
  for (const [name, schema] of Object.entries(query)) {
    const json = jsonSchema(schema);
    list.push({ name, in: 'query', required: false, schema: json, description: json.description });
  }
  return list;
}

const COMMON_ERRORS: Record<number, string> = {
  400: 'bad input; the body names the field',
  404: 'no such resource',
  405: 'method not allowed on this path (see Allow)',
  500: 'internal error (logged; the message says no more)',
};

function responses(route: AnyRoute, components: ResponseComponents): JsonObject {
  const success = String(route.successStatus ?? 200);
  const produces = route.produces ?? 'application/json';
  const schema = answersJson(route) ? components.refOf(route) : jsonSchema(route.response, 'output');
  const out: JsonObject = {
    [success]: {
      description: route.response.description ?? route.summary,
      content: { [produces]: { schema } },
    },
  };
  const errors: Record<number, string> = { ...COMMON_ERRORS, ...route.errors };
  if (route.body) {
    errors[413] = 'body over the size limit';
    errors[415] = 'body is not application/json';
  }
  if (requiresAuth(route)) {
    errors[401] = 'missing or wrong Bearer token';
    errors[403] = 'cross-origin request from an origin that is not allowed';
    errors[429] = 'too many failed token attempts from this address (see Retry-After)';
  }
  if (isHeavyRead(route.method, route.path)) {
    errors[429] = 'too many expensive reads in flight from this client (see Retry-After)';
  }
  if (isSheddable(route.method, route.path)) {
    errors[503] = 'overloaded: sampling is running late while the API is busy (see Retry-After)';
  }
  for (const [status, description] of Object.entries(errors)) {
    out[status] = {
      description,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }
  return out;
}

/** The OpenAPI 3.1 document for these routes. */
export function buildOpenApi(routes: AnyRoute[], info: { version: string }): OpenApiDocument {
  const paths: Record<string, JsonObject> = {};
  const components = responseComponents(routes);
  for (const route of routes) {
    const path = openApiPath(route.path);
    const operation: JsonObject = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.tag],
      parameters: parameters(route),
      responses: responses(route, components),
    };
    if (route.body) {
      operation.requestBody = {
        required: true,
        content: { 'application/json': { schema: jsonSchema(route.body) } },
      };
    }
    // Public operations say so (`[]`), so a client knows no token is needed rather than guessing.
    operation.security = requiresAuth(route) ? [{ bearer: [] }] : [];
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Energy Gateway API',
      license: { name: 'MIT', identifier: 'MIT' },
      version: info.version,
      description:
        'Web API of the Energy Gateway (egw). Mutating calls need `Authorization: Bearer <token>` (see `egw token`). ' +
        'Every error is `{"error": {"code", "message", "field"}}`.',
    },
    // Relative: the document is served by the gateway it describes, whatever its address and port.
    servers: [{ url: '/', description: 'this gateway' }],
    paths,
    components: {
      schemas: components.schemas,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'the API token' } },
    },
  };
}
