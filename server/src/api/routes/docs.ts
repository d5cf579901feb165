/** The API describing itself: GET /api/openapi.json, GET /docs (swagger-ui from npm), GET /metrics. */
import { defineRoute, type AnyRoute } from '../route-spec.ts';
import type { RouteDeps } from '../route-deps.ts';
import { HtmlPageSchema, OpenApiDocumentSchema, PrometheusTextSchema } from '../responses/docs-responses.ts';

/** The docs page: swagger-ui served by the gateway itself (the box may have no internet). */
const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Energy Gateway API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/swagger-init.js"></script>
</body>
</html>
`;

/** The script that starts swagger-ui on the gateway's own document. */
export const SWAGGER_INIT_JS = `window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#swagger-ui', deepLinking: true });\n`;

/** The docs and metrics route group. */
export function docsRoutes({ metrics, openApi }: RouteDeps): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/api/openapi.json',
      operationId: 'openapi',
      summary: 'this OpenAPI 3.1 document',
      tag: 'docs',
      response: OpenApiDocumentSchema,
      handler: () => openApi(),
    }),
    defineRoute({
      method: 'GET',
      path: '/docs',
      operationId: 'docs',
      summary: 'a page to read the API document (swagger-ui)',
      tag: 'docs',
      produces: 'text/html',
      response: HtmlPageSchema,
      handler: (ctx) => {
        ctx.type = 'text/html; charset=utf-8';
        ctx.body = DOCS_HTML;
        return undefined;
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/metrics',
      operationId: 'metrics',
      summary: 'Prometheus metrics (text format)',
      tag: 'telemetry',
      produces: 'text/plain',
      response: PrometheusTextSchema,
      handler: async (ctx) => {
        ctx.set('Content-Type', metrics.registry.contentType);
        ctx.body = await metrics.registry.metrics();
        return undefined;
      },
    }),
  ];
}
