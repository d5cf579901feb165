/**
 * A route is data: method, path, auth, the zod schemas of its body and query, and a handler. The same
 * list registers the Koa routes and generates the OpenAPI document, so the two cannot disagree. The
 * handler's return type is the response schema's, so the documented answer cannot drift from it either.
 */
import type { Context } from 'koa';
import type { z } from 'zod';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** What a handler gets after validation. */
export interface RouteInput<B, Q> {
  body: B;
  query: Q;
  params: Record<string, string>;
}

/** A value or a promise of it. */
type MaybePromise<T> = T | Promise<T>;

export interface RouteSpec<
  B extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
> {
  method: HttpMethod;
  /** Koa-router path, e.g. "/api/devices/:id". */
  path: string;
  /** Stable OpenAPI operationId. */
  operationId: string;
  summary: string;
  tag: string;
  /** Requires the Bearer token (default: true for every method but GET). */
  auth?: boolean;
  /** Request body schema (JSON); a route without one accepts no body. */
  body?: B;
  /** Query schema (an object of string-coercing fields). */
  query?: Q;
  /** Path parameter schema, e.g. { id: device id }. */
  params?: z.ZodObject;
  /** Status of a successful answer (default 200). */
  successStatus?: number;
  /** Content type of a successful answer (default application/json). */
  produces?: string;
  /**
   * Schema of the successful answer's body: JSON for application/json, `z.string()` for text, HTML and
   * event streams. It becomes the OpenAPI response schema and types what the handler returns.
   */
  response: R;
  /** Statuses this route may answer besides the common ones, with why. */
  errors?: Record<number, string>;
  /**
   * Returns the JSON body (of the response schema's type); or sets ctx.body itself and returns
   * undefined (streams, text, HTML, a cached serialisation).
   */
  handler(
    ctx: Context,
    input: RouteInput<z.output<B>, z.output<Q>>,
  ): MaybePromise<NoInfer<z.input<R>> | undefined>;
}

/** A route of any body and query type, as stored in the route table. */
// The table is heterogeneous on purpose; each entry was type-checked by defineRoute.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteSpec<any, any, any>;

/** Identity function that infers the handler's input and output types from the schemas. */
export function defineRoute<
  B extends z.ZodType = z.ZodUnknown,
  Q extends z.ZodType = z.ZodUnknown,
  R extends z.ZodType = z.ZodUnknown,
>(spec: RouteSpec<B, Q, R>): AnyRoute {
  return spec;
}

/** Whether the route needs the token. */
export function requiresAuth(route: AnyRoute): boolean {
  return route.auth ?? route.method !== 'GET';
}
