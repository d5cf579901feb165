/**
 * The checks of one cloud control request, in DESIGN.md's order, each with its status: a well-formed
 * ES256K JWT (400), signed by a configured backend key (401), for this gateway (403), in time with a
 * 60 s skew (410), never seen before (409), on the allow-list (403). Pure apart from the jti store it
 * is handed; the channel answers whatever this returns.
 */
import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { decodeJwt, verifyEs256k, type DecodedJwt } from '../identity/jwt.ts';
import type { ControlAllowList } from './control-allow-list.ts';

/** Allowed clock difference between backend and gateway, s. */
export const CONTROL_SKEW_S = 60;
/** Longest lifetime of a request (exp − iat), s. */
export const CONTROL_MAX_LIFETIME_S = 300;

/** The request payload DESIGN.md fixes. */
export const ControlPayloadSchema = z.object({
  sub: z.string().min(1).max(64),
  jti: z.string().min(1).max(128),
  iat: z.number().int().nonnegative(),
  exp: z.number().int().nonnegative(),
  method: z.enum(['GET', 'POST', 'DELETE']),
  path: z.string().min(5).max(512).startsWith('/api/'),
  body: z.record(z.string(), z.unknown()).optional(),
});

/** A request that passed every check. */
export type ControlRequest = z.output<typeof ControlPayloadSchema>;

/** The outcome: run it, or answer `status` with `message`. `jti` is null when none could be read. */
export type ControlCheck =
  | { ok: true; jti: string; request: ControlRequest }
  | { ok: false; jti: string | null; status: number; code: string; message: string };

/** What the checks need to know. */
export interface ControlCheckContext {
  serial: string;
  backendKeys: readonly KeyObject[];
  allow: ControlAllowList;
  nowMs: number;
  /** Records the jti until the given time; false when it was recorded already. */
  claimJti(jti: string, expiresAtMs: number): boolean;
  /** Why the wall clock cannot be trusted, or undefined (then the time checks mean something). */
  clockProblem?: string;
}

const reject = (
  jti: string | null,
  status: number,
  code: string,
  message: string,
): Extract<ControlCheck, { ok: false }> => ({ ok: false, jti, status, code, message });

/** The jti of a payload that is at least an object with a string jti, else null. */
function readableJti(payload: unknown): string | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const jti = (payload as { jti?: unknown }).jti;
  return typeof jti === 'string' && jti.length > 0 && jti.length <= 128 ? jti : null;
}

/** Runs every check on the raw MQTT payload. */
export function checkControlRequest(raw: string, ctx: ControlCheckContext): ControlCheck {
  let decoded: DecodedJwt;
  try {
    decoded = decodeJwt(raw);
  } catch {
    return reject(null, 400, 'malformed_jwt', 'request: not a compact JWT');
  }
  const jti = readableJti(decoded.payload);
  if (decoded.header.alg !== 'ES256K') {
    return reject(jti, 400, 'malformed_jwt', 'request header: alg must be "ES256K"');
  }
  const parsed = ControlPayloadSchema.safeParse(decoded.payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || 'payload';
    return reject(jti, 400, 'malformed_request', `request ${field}: ${issue?.message ?? 'invalid'}`);
  }
  const request = parsed.data;
  if (request.exp <= request.iat || request.exp - request.iat > CONTROL_MAX_LIFETIME_S) {
    return reject(
      request.jti,
      400,
      'malformed_request',
      `request exp: must be after iat and at most ${CONTROL_MAX_LIFETIME_S} s after it`,
    );
  }
  if (!ctx.backendKeys.some((key) => verifyEs256k(decoded, key))) {
    return reject(request.jti, 401, 'bad_signature', 'request: signature does not verify with a backend key');
  }
  if (request.sub !== ctx.serial) {
    return reject(request.jti, 403, 'wrong_gateway', `request sub: this gateway is ${ctx.serial}`);
  }
  // A wall clock that is not synchronised makes iat/exp meaningless: no request runs then.
  if (ctx.clockProblem !== undefined) {
    return reject(request.jti, 503, 'clock_unsynchronised', `gateway clock: ${ctx.clockProblem}`);
  }
  const nowS = ctx.nowMs / 1000;
  if (request.iat > nowS + CONTROL_SKEW_S || request.exp <= nowS - CONTROL_SKEW_S) {
    return reject(request.jti, 410, 'expired', 'request iat/exp: outside the valid time (60 s skew allowed)');
  }
  if (!ctx.claimJti(request.jti, (request.exp + CONTROL_SKEW_S) * 1000)) {
    return reject(request.jti, 409, 'replayed', `request jti ${request.jti}: already run`);
  }
  const path = request.path.split('?')[0] ?? '';
  if (!ctx.allow.allows(request.method, path)) {
    return reject(
      request.jti,
      403,
      'not_allowed',
      `request: ${request.method} ${path.slice(0, 80)} is not on the control allow-list`,
    );
  }
  return { ok: true, jti: request.jti, request };
}
