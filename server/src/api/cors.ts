/**
 * CORS, closed by default: only origins listed in http.corsOrigins get Access-Control-* headers. A
 * mutating request whose Origin is neither the gateway itself nor listed is refused with 403, so a web
 * page elsewhere cannot drive the API with a token it happened to learn.
 */
import type { Middleware } from 'koa';
import { ApiError } from './api-error.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether the Origin header names the host the request was sent to. */
function sameOrigin(origin: string, host: string): boolean {
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** CORS headers for allowed origins, preflight answers, and the cross-origin write guard. */
export function cors(allowedOrigins: string[]): Middleware {
  const allowed = new Set(allowedOrigins);
  return async (ctx, next) => {
    const origin = ctx.get('origin');
    if (origin === '') return next();
    const listed = allowed.has('*') || allowed.has(origin);
    ctx.vary('Origin');
    if (listed) {
      ctx.set('Access-Control-Allow-Origin', origin);
      if (ctx.method === 'OPTIONS' && ctx.get('access-control-request-method') !== '') {
        ctx.set('Access-Control-Allow-Methods', 'GET, POST, PUT, DELETE');
        ctx.set('Access-Control-Allow-Headers', 'Authorization, Content-Type');
        ctx.set('Access-Control-Max-Age', '600');
        ctx.status = 204;
        return;
      }
    } else if (!SAFE_METHODS.has(ctx.method) && !sameOrigin(origin, ctx.host)) {
      throw new ApiError(
        403,
        'origin_forbidden',
        `origin: "${origin.slice(0, 100)}" is not allowed`,
        'origin',
      );
    }
    return next();
  };
}
