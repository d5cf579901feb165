/**
 * Checks an HTTP answer of the gateway against its OpenAPI document with Ajv (JSON Schema 2020-12, the
 * dialect of OpenAPI 3.1): the status must be documented for the operation, the content type must be
 * the documented one, and a JSON body must match the documented schema. The document is the one the
 * gateway serves, built from the same route table (gateway-openapi-document.ts).
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { ApiClient } from '../../client/src/api-client.js';
import type { OpenApiDocument } from '../../server/src/api/responses/docs-responses.ts';
import { gatewayOpenApiDocument } from './gateway-openapi-document.ts';

/** One answer as received. */
export interface ReceivedAnswer {
  method: string;
  /** Path (and query) the request went to. */
  path: string;
  status: number;
  /** The Content-Type header (null when absent). */
  contentType: string | null;
  /** The body text, or undefined when it was not read (event streams, HEAD). */
  body?: string;
}

const DOC_ID = 'egw-openapi.json';

interface Operation {
  responses: Record<string, { content?: Record<string, unknown> }>;
}

interface Checker {
  doc: OpenApiDocument;
  ajv: Ajv2020;
  /** Documented path templates as regular expressions, most literal first. */
  templates: { template: string; pattern: RegExp }[];
}

let checker: Checker | undefined;

/** The document of the current route table, as GET /api/openapi.json serves it. */
export function gatewayOpenApi(): OpenApiDocument {
  return load().doc;
}

function load(): Checker {
  if (checker) return checker;
  const doc = gatewayOpenApiDocument();
  // strict: false because the document carries OpenAPI keywords (openapi, paths, …) around the schemas.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(doc, DOC_ID);
  const templates = Object.keys(doc.paths)
    .map((template) => ({
      template,
      pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+').replace(/\./g, '\\.')}$`),
    }))
    // "/api/devices/{id}" after any literal path of the same length, so literals win.
    .sort((a, b) => Number(a.template.includes('{')) - Number(b.template.includes('{')));
  checker = { doc, ajv, templates };
  return checker;
}

/** "/api/devices/{id}" → its JSON pointer segment ("~1api~1devices~1{id}"). */
function pointerSegment(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

const mediaType = (contentType: string | null): string => (contentType ?? '').split(';')[0]!.trim();

/** What is wrong with the answer as the document describes it; undefined when it matches. */
export function responseMismatch(answer: ReceivedAnswer): string | undefined {
  const { doc, ajv, templates } = load();
  const path = answer.path.split('?')[0]!;
  const template = templates.find((t) => t.pattern.test(path))?.template;
  const where = `${answer.method} ${answer.path} → ${answer.status}`;
  if (template === undefined) return undefined; // not the gateway's API (a simulator, a receiver)
  const method = answer.method === 'HEAD' ? 'get' : answer.method.toLowerCase();
  const operation = (doc.paths[template] as Record<string, Operation | undefined>)[method];
  let pointer: string;
  if (!operation) {
    // A method the path does not have (405, OPTIONS 204): only an error body has a documented shape.
    if (answer.status < 400 || answer.body === undefined || answer.body === '') return undefined;
    pointer = '#/components/schemas/Error';
  } else {
    const response = operation.responses[String(answer.status)];
    if (!response) {
      const documented = Object.keys(operation.responses).join(', ');
      return `${where}: status not documented (documented: ${documented})`;
    }
    const documentedTypes = Object.keys(response.content ?? {});
    const type = mediaType(answer.contentType);
    if (documentedTypes.length > 0 && !documentedTypes.includes(type)) {
      return `${where}: content type "${answer.contentType}" not documented (documented: ${documentedTypes.join(', ')})`;
    }
    if (type !== 'application/json' || answer.body === undefined) return undefined;
    pointer = `#/paths/${pointerSegment(template)}/${method}/responses/${answer.status}/content/application~1json/schema`;
  }
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    return `${where}: body is not JSON: ${answer.body.slice(0, 100)}`;
  }
  const validate: ValidateFunction | undefined = ajv.getSchema(`${DOC_ID}${pointer}`);
  if (!validate) return `${where}: no schema at ${pointer}`;
  if (validate(body)) return undefined;
  const errors = (validate.errors ?? [])
    .slice(0, 5)
    .map(
      (e) => `${e.instancePath || '(body)'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`,
    );
  return `${where}: body does not match the document: ${errors.join('; ')}; body: ${answer.body.slice(0, 300)}`;
}

/** Throws when the answer does not match the document. */
export function assertDocumentedResponse(answer: ReceivedAnswer): void {
  const mismatch = responseMismatch(answer);
  if (mismatch) throw new Error(`OpenAPI response validation: ${mismatch}`);
}

/**
 * The client with every successful answer checked against the document: for EGWTTP (BLE, WebSocket)
 * clients, whose frames say `text/json` and whose refusals may come from egw-ble itself rather than the
 * gateway, the 2xx bodies are the gateway's answers and are checked as its JSON.
 */
export function documentedClient(client: ApiClient): ApiClient {
  return {
    ...client,
    async request(method, path, body) {
      const answer = await client.request(method, path, body);
      if (answer.status >= 200 && answer.status < 300) {
        const text = JSON.stringify(answer.body);
        assertDocumentedResponse({
          method,
          path,
          status: answer.status,
          contentType: 'application/json',
          body: text,
        });
      }
      return answer;
    },
  };
}
