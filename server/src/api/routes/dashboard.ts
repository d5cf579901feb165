/** GET /: the dashboard page (its scripts, styles and uPlot are plain static files). */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defineRoute, type AnyRoute } from '../route-spec.ts';
import type { RouteDeps } from '../route-deps.ts';
import { HtmlPageSchema } from '../responses/docs-responses.ts';

/** The dashboard route group. */
export function dashboardRoutes({ dashboardDir }: RouteDeps): AnyRoute[] {
  let page: Buffer | undefined;
  return [
    defineRoute({
      method: 'GET',
      path: '/',
      operationId: 'dashboard',
      summary: 'the dashboard',
      tag: 'dashboard',
      produces: 'text/html',
      response: HtmlPageSchema,
      handler: async (ctx) => {
        page ??= await readFile(join(dashboardDir, 'index.html'));
        ctx.type = 'text/html; charset=utf-8';
        ctx.set('Cache-Control', 'no-cache');
        ctx.body = page;
        return undefined;
      },
    }),
  ];
}
