/**
 * Bearer-token check for mutating routes (and the few reads that show secrets). The token is compared
 * in constant time (SHA-256 of both sides, then timingSafeEqual); failures are rate-limited per address (the Unix socket counts as one address of its own).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import { ApiError } from './api-error.ts';
import type { AuthRateLimiter } from './auth-rate-limiter.ts';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Constant-time equality of two strings of any length. */
export function tokensEqual(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/** Throws 429 / 401 unless the request carries the right Bearer token. */
export function checkToken(ctx: Context, expectedToken: string, limiter: AuthRateLimiter): void {
  // Failures are counted per place a request comes from. The API's Unix socket (owner-only, used by
  // egw-ble) is its own place: bad tokens from other local processes over loopback TCP never lock it out.
  const viaUnixSocket = ctx.req.socket.remoteAddress === undefined && ctx.req.socket.remotePort === undefined;
  const address = viaUnixSocket ? 'unix-socket' : ctx.request.ip || 'unknown';
  const header = ctx.get('authorization');
  const challenge = { 'WWW-Authenticate': 'Bearer realm="egw"' };
  if (header === '') {
    throw new ApiError(
      401,
      'unauthorized',
      'authorization: Bearer token required',
      'authorization',
      challenge,
    );
  }
  const match = /^Bearer +(\S+) *$/i.exec(header);
  // The right token always passes, also from an address locked out by someone else's bad guesses on
  // it (the token has 256 bits: the lock-out is there to slow noise, not to make guessing feasible).
  if (match?.[1] && tokensEqual(match[1], expectedToken)) return;
  const waitS = limiter.retryAfterS(address);
  if (waitS > 0) {
    throw new ApiError(
      429,
      'too_many_auth_failures',
      `authorization: too many failed attempts from this address; retry in ${waitS} s`,
      'authorization',
      { 'Retry-After': String(waitS) },
    );
  }
  limiter.fail(address);
  throw new ApiError(401, 'unauthorized', 'authorization: token is not valid', 'authorization', challenge);
}
