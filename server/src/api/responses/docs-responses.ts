/** Response schemas of the routes that answer text, HTML or the API document itself. */
import { z } from 'zod';

/** GET /api/openapi.json: an OpenAPI 3.1 document (its full schema is the OpenAPI specification's). */
export const OpenApiDocumentSchema = z
  .looseObject({
    openapi: z.literal('3.1.0'),
    info: z.looseObject({ title: z.string(), version: z.string() }),
    servers: z.array(z.looseObject({ url: z.string() })),
    paths: z.record(z.string(), z.record(z.string(), z.unknown())),
    components: z.record(z.string(), z.unknown()),
  })
  .describe('an OpenAPI 3.1 document');

/** A type an OpenAPI document built by buildOpenApi satisfies. */
export type OpenApiDocument = z.output<typeof OpenApiDocumentSchema>;

/** An HTML page. */
export const HtmlPageSchema = z.string().describe('an HTML page');

/** GET /metrics. */
export const PrometheusTextSchema = z.string().describe('Prometheus text exposition format 0.0.4');

/** GET /api/events. */
export const EventStreamSchema = z
  .string()
  .describe('server-sent events: `event: <name>` and `data: <JSON>` lines, heartbeat comments');
