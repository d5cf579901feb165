/**
 * Renders every failure as {"error": {"code", "message", "field"}}. Only errors that say they may be
 * exposed show their message; anything else becomes a generic 500 and is logged here, never a stack trace.
 */
import type { Context, Middleware } from 'koa';
import { EgwError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { ApiError } from './api-error.ts';

/** The JSON error body the API answers with. */
export interface ErrorBody {
  error: { code: string; message: string; field: string };
}

interface HttpLikeError {
  status?: unknown;
  statusCode?: unknown;
  expose?: unknown;
  message?: unknown;
}

/** Builds the error body and status for anything thrown. */
export function describeForClient(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof EgwError) {
    const status = error.status;
    const field = error.where.field ?? error.where.key ?? error.where.device ?? 'request';
    return {
      status,
      body: {
        error: {
          code: error.code,
          message: error.expose ? error.message : 'internal error',
          field,
        },
      },
    };
  }
  // Errors thrown by koa itself or its helpers (http-errors): e.g. 400 for a malformed URL.
  const http = (error ?? {}) as HttpLikeError;
  const status = Number(http.status ?? http.statusCode);
  if (Number.isInteger(status) && status >= 400 && status < 500) {
    const message = http.expose === true && typeof http.message === 'string' ? http.message : 'bad request';
    return { status, body: { error: { code: 'bad_request', message, field: 'request' } } };
  }
  return {
    status: 500,
    body: { error: { code: 'internal_error', message: 'internal error', field: 'request' } },
  };
}

/** Writes the error to the response; logs server-side failures (5xx but 501) with their cause. */
export function writeError(ctx: Context, error: unknown, logger: Logger): void {
  const { status, body } = describeForClient(error);
  // A 501 is this box answering truthfully that it lacks a feature (no NetworkManager): not a failure.
  if (status === 501)
    logger.info({ code: body.error.code, method: ctx.method, path: ctx.path }, body.error.message);
  else if (status >= 500) logger.error({ err: error, method: ctx.method, path: ctx.path }, 'request failed');
  else logger.debug({ code: body.error.code, method: ctx.method, path: ctx.path }, body.error.message);
  if (error instanceof ApiError)
    for (const [name, value] of Object.entries(error.headers)) ctx.set(name, value);
  ctx.status = status;
  ctx.body = body;
}

/** Outermost middleware: catches everything below and turns a bare 404 into a JSON error. */
export function errorHandler(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body == null) {
        throw new ApiError(404, 'not_found', `path ${ctx.path}: no such resource`, 'path');
      }
    } catch (error) {
      writeError(ctx, error, logger);
    }
  };
}
