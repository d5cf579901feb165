/**
 * The middleware that lets the API yield to sampling: while the LoadShedder says sampling is behind
 * because of API load, heavy reads are answered 503 with Retry-After and the usual error envelope,
 * without doing their work. Liveness (/api/hello) and non-read methods (writes, which need the token,
 * and CORS preflights) are always served: they are rare, and a refused write would lose a user action.
 */
import type { Middleware } from 'koa';
import type { Clock } from '../core/clock.ts';
import { DelayedRefusal } from './delayed-refusal.ts';
import type { ErrorBody } from './error-handler.ts';
import { LATE_SHARE, type LoadShedder } from './load-shedder.ts';

/** Paths that are never shed, even though they are reads. */
const NEVER_SHED = new Set(['/api/hello']);
/**
 * Reads whose one answer costs the event loop as much as dozens of small ones (every batch, every
 * metric, the whole OpenAPI document): they count HEAVY_REQUEST_WEIGHT times towards the busy rate, so
 * a few clients asking for them make the API busy although they reach only a few requests per second.
 */
export const HEAVY_PATHS: ReadonlySet<string> = new Set(['/api/harvests', '/metrics', '/api/openapi.json']);
/** How many ordinary requests one heavy read counts as. */
export const HEAVY_REQUEST_WEIGHT = 25;

/** Whether a request may be refused under load: reads (GET, HEAD) other than liveness. */
export function isSheddable(method: string, path: string): boolean {
  return (method === 'GET' || method === 'HEAD') && !NEVER_SHED.has(path);
}

/** Whether a request is one of the heavy reads. */
export function isHeavyRead(method: string, path: string): boolean {
  return (method === 'GET' || method === 'HEAD') && HEAVY_PATHS.has(path);
}

/**
 * Counts every request towards the busy rate and answers sheddable ones 503 (after a short pause, see
 * delayed-refusal.ts) while shedding. The response is built here rather than thrown, so the error
 * handler does not log every refused request.
 */
export function loadShedding(shedder: LoadShedder, clock: Clock, onShed: () => void = () => {}): Middleware {
  const refusal = new DelayedRefusal(clock, 'api-shed');
  const { options } = shedder;
  const body: ErrorBody = {
    error: {
      code: 'overloaded',
      message:
        `request: not served, sampling is running late (≥ ${LATE_SHARE * 100} % of its runs over ` +
        `${options.lagMs} ms late in the last ${options.windowMs} ms) while the API is busy; ` +
        `retry after ${shedder.retryAfterS} s`,
      field: 'request',
    },
  };
  return async (ctx, next) => {
    shedder.requestArrived(isHeavyRead(ctx.method, ctx.path) ? HEAVY_REQUEST_WEIGHT : 1);
    if (!isSheddable(ctx.method, ctx.path) || !shedder.shouldShed()) return next();
    shedder.recordShed();
    onShed();
    await refusal.refuse(ctx, 503, shedder.retryAfterS, body);
  };
}
