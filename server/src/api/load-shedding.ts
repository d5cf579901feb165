/**
 * The middleware that lets the API yield to sampling: while the LoadShedder says sampling is behind
 * because of API load, heavy reads are answered 503 with Retry-After and the usual error envelope,
 * without doing their work. Liveness (/api/hello) and non-read methods (writes, which need the token,
 * and CORS preflights) are always served: they are rare, and a refused write would lose a user action.
 */
import type { Middleware } from 'koa';
import type { Clock } from '../core/clock.ts';
import type { ErrorBody } from './error-handler.ts';
import { LATE_SHARE, type LoadShedder } from './load-shedder.ts';

/**
 * A refusal is sent after this pause, ms. An instant 503 is cheap, but a client that ignores
 * Retry-After would simply ask again at once and keep the event loop just as busy; the pause bounds
 * each connection to a few requests per second while costing only a timer.
 */
export const SHED_DELAY_MS = 250;
/** At most this many refusals wait at once; beyond that they are sent without the pause. */
export const MAX_DELAYED = 1024;

/** Paths that are never shed, even though they are reads. */
const NEVER_SHED = new Set(['/api/hello']);

/** Whether a request may be refused under load: reads (GET, HEAD) other than liveness. */
export function isSheddable(method: string, path: string): boolean {
  return (method === 'GET' || method === 'HEAD') && !NEVER_SHED.has(path);
}

/**
 * Counts every request towards the busy rate and answers sheddable ones 503 (after SHED_DELAY_MS)
 * while shedding. The response is built here rather than thrown, so the error handler does not log
 * every refused request.
 */
export function loadShedding(shedder: LoadShedder, clock: Clock, onShed: () => void = () => {}): Middleware {
  let delayed = 0;
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
    shedder.requestArrived();
    if (!isSheddable(ctx.method, ctx.path) || !shedder.shouldShed()) return next();
    shedder.recordShed();
    onShed();
    if (delayed < MAX_DELAYED) {
      delayed++;
      try {
        await clock.sleep(SHED_DELAY_MS, 'api-shed');
      } finally {
        delayed--;
      }
    }
    ctx.status = 503;
    ctx.set('Retry-After', String(shedder.retryAfterS));
    ctx.body = body;
  };
}
