/**
 * The backend's half of the control channel, for `egw control send`, development and tests: sign a
 * request with a backend key (ES256K, DESIGN.md's payload) and verify the gateway's signed answer.
 */
import { randomUUID, type KeyObject } from 'node:crypto';
import { ValidationError } from '../core/errors.ts';
import { DeviceKey } from '../identity/device-key.ts';
import { decodeJwt, verifyJws } from '../identity/jwt.ts';
import type { ControlAnswer } from './control-channel.ts';

/** What the backend asks for. */
export interface ControlRequestInput {
  serial: string;
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  body?: Record<string, unknown>;
  /** Issued-at, ms (the backend's clock). */
  nowMs: number;
  /** Lifetime, s (default 60, at most 300). */
  ttlS?: number;
  /** Request id (default a random UUID). */
  jti?: string;
}

/** Signs a control request with the backend key (a secp256k1 secret); returns the JWT and its jti. */
export function signControlRequest(
  backendSecret: Uint8Array,
  input: ControlRequestInput,
): { jwt: string; jti: string } {
  const key = new DeviceKey(backendSecret);
  const iat = Math.floor(input.nowMs / 1000);
  const jti = input.jti ?? randomUUID();
  const payload = {
    sub: input.serial,
    jti,
    iat,
    exp: iat + (input.ttlS ?? 60),
    method: input.method,
    path: input.path,
    ...(input.body !== undefined ? { body: input.body } : {}),
  };
  return { jwt: key.signJwt({ alg: 'ES256K', typ: 'JWT' }, payload), jti };
}

/** The compressed public key (hex) of a backend secret, as `control.publicKeys` takes it. */
export function backendPublicKeyHex(backendSecret: Uint8Array): string {
  return new DeviceKey(backendSecret).publicKeyHex;
}

/**
 * Verifies a control answer with the gateway's public key and returns its payload; throws
 * ValidationError when it is not signed by that key, not a control answer, or from another gateway.
 */
export function verifyControlAnswer(jwt: string, gatewayKey: KeyObject, serial: string): ControlAnswer {
  const decoded = decodeJwt(jwt);
  if (!verifyJws(decoded, gatewayKey)) {
    throw new ValidationError('control answer: signature does not verify with the gateway key', 'signature');
  }
  if (decoded.header.opr !== 'control' || decoded.header.device !== serial) {
    throw new ValidationError(`control answer: not a control answer of ${serial}`, 'header');
  }
  const payload = decoded.payload as Partial<ControlAnswer>;
  if (typeof payload.status !== 'number' || typeof payload.ts !== 'number' || !('jti' in payload)) {
    throw new ValidationError('control answer: payload lacks jti, status or ts', 'payload');
  }
  return payload as ControlAnswer;
}
