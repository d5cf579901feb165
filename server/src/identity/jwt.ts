/**
 * Compact JWS (JWT) encoding for ES256K (RFC 8812): base64url(JSON header) "." base64url(JSON
 * payload) "." base64url(64-byte r‖s). Signing lives in the DeviceKey; this file only encodes,
 * decodes and verifies (node:crypto, so verification is independent of the signer's library).
 */
import { verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { ValidationError } from '../core/errors.ts';

/** A JWT split into its parts; `signingInput` is exactly what the signature covers. */
export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: unknown;
  signingInput: string;
  signature: Buffer;
}

/** base64url(JSON) of one JWT segment. */
export function encodeSegment(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** The signing input of a JWT: base64url(header) "." base64url(payload). */
export function jwtSigningInput(header: Record<string, unknown>, payload: unknown): string {
  return `${encodeSegment(header)}.${encodeSegment(payload)}`;
}

function parseSegment(segment: string, what: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw new ValidationError(`JWT ${what}: not base64url-encoded JSON`, what);
  }
}

/** Splits and parses a compact JWT; throws ValidationError when it is malformed. */
export function decodeJwt(jwt: string): DecodedJwt {
  const parts = jwt.trim().split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) {
    throw new ValidationError('JWT: expected three base64url segments separated by "."', 'jwt');
  }
  const [h, p, s] = parts as [string, string, string];
  const header = parseSegment(h, 'header');
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new ValidationError('JWT header: expected a JSON object', 'header');
  }
  return {
    header: header as Record<string, unknown>,
    payload: parseSegment(p, 'payload'),
    signingInput: `${h}.${p}`,
    signature: Buffer.from(s, 'base64url'),
  };
}

/**
 * Verifies an ES256K signature with node:crypto (SHA-256, IEEE P1363 r‖s). Returns false for a wrong
 * signature, a wrong length or a wrong `alg`.
 */
export function verifyEs256k(decoded: DecodedJwt, publicKey: KeyObject): boolean {
  if (decoded.header.alg !== 'ES256K' || decoded.signature.length !== 64) return false;
  return cryptoVerify(
    'sha256',
    Buffer.from(decoded.signingInput, 'ascii'),
    { key: publicKey, dsaEncoding: 'ieee-p1363' },
    decoded.signature,
  );
}

/** The curve each accepted JWS algorithm signs on (node:crypto's names). */
const CURVE_OF_ALG: Record<string, string> = { ES256K: 'secp256k1', ES256: 'prime256v1' };

/**
 * Verifies an ES256K (secp256k1) or ES256 (P-256, a hardware-backed device key) signature; the header's
 * `alg` must name the curve of `publicKey`. False for anything else.
 */
export function verifyJws(decoded: DecodedJwt, publicKey: KeyObject): boolean {
  const alg = decoded.header.alg;
  const curve = typeof alg === 'string' ? CURVE_OF_ALG[alg] : undefined;
  if (curve === undefined || publicKey.asymmetricKeyDetails?.namedCurve !== curve) return false;
  if (decoded.signature.length !== 64) return false;
  return cryptoVerify(
    'sha256',
    Buffer.from(decoded.signingInput, 'ascii'),
    { key: publicKey, dsaEncoding: 'ieee-p1363' },
    decoded.signature,
  );
}
