/**
 * HTTP-level errors of the web API (auth, method, size, media type, rate limit). They are EgwErrors, so
 * the one error handler renders them like every other error; some carry response headers (Allow,
 * Retry-After, WWW-Authenticate).
 */
import { EgwError } from '../core/errors.ts';

/** An EgwError with a fixed HTTP status, always shown to the client, optionally with headers. */
export class ApiError extends EgwError {
  /** Headers the error response must carry, e.g. { Allow: 'GET, POST' }. */
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    code: string,
    message: string,
    field: string,
    headers: Record<string, string> = {},
  ) {
    super(code, message, { status, expose: true, where: { field } });
    this.headers = headers;
  }
}
