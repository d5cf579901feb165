/**
 * Turns the route table into Koa routes: token check first (nothing is read for an unauthenticated
 * caller), then path, query and body validation against the route's schemas, then the handler. Also
 * answers 405 with Allow for a known path with the wrong method, and OPTIONS with Allow.
 */
import type { Middleware } from 'koa';
import type Router from '@koa/router';
import { ValidationError } from '../core/errors.ts';
import { ApiError } from './api-error.ts';
import { checkToken } from './auth.ts';
import type { AuthRateLimiter } from './auth-rate-limiter.ts';
import { readJsonBody } from './read-json-body.ts';
import { requiresAuth, type AnyRoute } from './route-spec.ts';
import { validateInput } from './validate-input.ts';

export interface RegisterOptions {
  /** Returns the API token (read per request so a rotated token takes effect). */
  token: () => string;
  limiter: AuthRateLimiter;
  bodyLimitBytes: number;
}

/** The middleware that validates input and runs one route's handler. */
export function routeMiddleware(route: AnyRoute, options: RegisterOptions): Middleware {
  return async (ctx) => {
    if (requiresAuth(route)) checkToken(ctx, options.token(), options.limiter);
    const params = route.params ? validateInput(route.params, { ...ctx.params }, 'path') : { ...ctx.params };
    const query = route.query ? validateInput(route.query, { ...ctx.query }, 'query') : {};
    let body: unknown;
    if (route.body) {
      const raw = await readJsonBody(ctx, options.bodyLimitBytes);
      if (raw === undefined) throw new ValidationError('body: required (a JSON object)', 'body');
      body = validateInput(route.body, raw, 'body');
    }
    const result = await route.handler(ctx, { body, query, params: params as Record<string, string> });
    if (result !== undefined) {
      ctx.status = route.successStatus ?? 200;
      ctx.body = result;
    }
  };
}

/** Registers every route on the router. */
export function registerRoutes(router: Router, routes: AnyRoute[], options: RegisterOptions): void {
  for (const route of routes) router.register(route.path, [route.method], routeMiddleware(route, options));
}

/** After the router: 405 (with Allow) when the path exists under other methods; OPTIONS lists them. */
export function methodNotAllowed(router: Router): Middleware {
  return async (ctx, next) => {
    await next();
    if (ctx.body != null || (ctx.status !== 404 && ctx.status !== 501)) return;
    const matched = router.match(ctx.path, ctx.method);
    if (matched.path.length === 0) return;
    const allowed = [...new Set(matched.path.flatMap((layer) => layer.methods))].sort();
    if (ctx.method === 'OPTIONS') {
      ctx.set('Allow', ['OPTIONS', ...allowed].join(', '));
      ctx.status = 204;
      return;
    }
    throw new ApiError(
      405,
      'method_not_allowed',
      `method: ${ctx.method.slice(0, 20)} is not allowed on ${ctx.path}; allowed: ${allowed.join(', ')}`,
      'method',
      { Allow: allowed.join(', ') },
    );
  };
}
