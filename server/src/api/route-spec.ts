/**
 * A route is data: method, path, auth, the zod schemas of its body and query, and a handler. The same
 * list registers the Koa routes and generates the OpenAPI document, so the two cannot disagree.
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

export interface RouteSpec<B extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType> {
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
  /** Statuses this route may answer besides the common ones, with why. */
  errors?: Record<number, string>;
  /**
   * Returns the JSON body; or sets ctx.body / ctx.respond itself and returns undefined (streams,
   * text, HTML).
   */
  handler(ctx: Context, input: RouteInput<z.output<B>, z.output<Q>>): unknown;
}

/** A route of any body and query type, as stored in the route table. */
// The table is heterogeneous on purpose; each entry was type-checked by defineRoute.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteSpec<any, any>;

/** Identity function that infers the handler's input types from the schemas. */
export function defineRoute<B extends z.ZodType = z.ZodUnknown, Q extends z.ZodType = z.ZodUnknown>(
  spec: RouteSpec<B, Q>,
): AnyRoute {
  return spec;
}

/** Whether the route needs the token. */
export function requiresAuth(route: AnyRoute): boolean {
  return route.auth ?? route.method !== 'GET';
}
