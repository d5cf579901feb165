/**
 * A per-client bound on expensive reads in flight (GET /api/harvests, /metrics, /api/openapi.json): a
 * client may have `perClient` of them running at once, all clients together `total`. A request over
 * the bound is answered 429 with Retry-After (after the refusal pause) before any of its work is done,
 * so twenty connections of one client cost the event loop what two do. A request counts as in flight
 * until its response is finished or its connection closed (the harvests answer is a stream).
 */
import type { Middleware } from 'koa';
import type { Clock } from '../core/clock.ts';
import { DelayedRefusal } from './delayed-refusal.ts';
import type { ErrorBody } from './error-handler.ts';
import { isHeavyRead } from './load-shedding.ts';

/** The bounds (built-in defaults; see DEFAULT_EXPENSIVE_LIMITS). */
export interface ExpensiveLimits {
  /** Expensive reads one client address may have in flight. */
  perClient: number;
  /** Expensive reads in flight over all clients. */
  total: number;
}

/** Two per client (a dashboard and a script), eight in all. */
export const DEFAULT_EXPENSIVE_LIMITS: ExpensiveLimits = { perClient: 2, total: 8 };

/** Counts expensive reads in flight per client address. */
export class ExpensiveRouteLimiter {
  private readonly inFlight = new Map<string, number>();
  private total = 0;
  /** Requests refused since start. */
  refused = 0;
  readonly limits: ExpensiveLimits;

  constructor(limits: ExpensiveLimits = DEFAULT_EXPENSIVE_LIMITS) {
    this.limits = limits;
  }

  /** Takes a slot for `client`; returns its release function, or undefined when over a bound. */
  acquire(client: string): (() => void) | undefined {
    const mine = this.inFlight.get(client) ?? 0;
    if (mine >= this.limits.perClient || this.total >= this.limits.total) {
      this.refused += 1;
      return undefined;
    }
    this.inFlight.set(client, mine + 1);
    this.total += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total -= 1;
      const left = (this.inFlight.get(client) ?? 1) - 1;
      if (left > 0) this.inFlight.set(client, left);
      else this.inFlight.delete(client);
    };
  }

  /** Expensive reads in flight now. */
  get active(): number {
    return this.total;
  }
}

/** The middleware: 429 for an expensive read over the bounds, else a slot held until the response ends. */
export function expensiveRouteLimit(limiter: ExpensiveRouteLimiter, clock: Clock): Middleware {
  const refusal = new DelayedRefusal(clock, 'api-limit');
  const body: ErrorBody = {
    error: {
      code: 'too_many_requests',
      message:
        `request: too many expensive reads in flight (at most ${limiter.limits.perClient} per client, ` +
        `${limiter.limits.total} in all); retry after 1 s`,
      field: 'request',
    },
  };
  return async (ctx, next) => {
    if (!isHeavyRead(ctx.method, ctx.path)) return next();
    const release = limiter.acquire(ctx.ip);
    if (!release) return refusal.refuse(ctx, 429, 1, body);
    // 'close' also fires when the client goes away mid-stream.
    ctx.res.once('close', release);
    try {
      await next();
    } catch (error) {
      release();
      throw error;
    }
  };
}
