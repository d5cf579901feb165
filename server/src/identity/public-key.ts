/**
 * Public-key encodings of a secp256k1 key (compressed hex, JWK, SPKI PEM) and the gateway serial
 * derived from it. Only node:crypto: the ingest receiver uses this too, independent of noble.
 */
import { createHash, createPublicKey, ECDH, type KeyObject } from 'node:crypto';
import { ValidationError } from '../core/errors.ts';

/** JWK of a secp256k1 public key (RFC 8812). */
export interface Secp256k1Jwk {
  kty: 'EC';
  crv: 'secp256k1';
  x: string;
  y: string;
}

/** Every encoding of one public key. */
export interface PublicKeyInfo {
  /** Compressed SEC1 point, hex (66 chars). */
  publicKeyHex: string;
  jwk: Secp256k1Jwk;
  /** SubjectPublicKeyInfo PEM, as node:crypto, OpenSSL and JOSE libraries take it. */
  publicKeyPem: string;
  keyObject: KeyObject;
  serial: string;
}

/**
 * The gateway serial: "EGW-" + the first 12 hex digits (48 bits), upper case, of SHA-256 over the
 * compressed public key. Stable for as long as the key file lives.
 */
export function serialFromPublicKey(compressedHex: string): string {
  const digest = createHash('sha256').update(Buffer.from(compressedHex, 'hex')).digest('hex');
  return `EGW-${digest.slice(0, 12).toUpperCase()}`;
}

/** Builds every encoding from a compressed (33-byte) or uncompressed (65-byte) SEC1 point in hex. */
export function publicKeyInfo(hex: string): PublicKeyInfo {
  if (!/^(0[23][0-9a-fA-F]{64}|04[0-9a-fA-F]{128})$/.test(hex)) {
    throw new ValidationError(
      `public key "${hex.slice(0, 20)}…": expected a SEC1 secp256k1 point in hex (66 or 130 chars)`,
      'publicKey',
    );
  }
  let uncompressed: Buffer;
  let compressed: string;
  try {
    uncompressed = ECDH.convertKey(hex, 'secp256k1', 'hex', undefined, 'uncompressed') as Buffer;
    compressed = ECDH.convertKey(hex, 'secp256k1', 'hex', 'hex', 'compressed') as string;
  } catch (error) {
    throw new ValidationError(
      `public key ${hex.slice(0, 20)}…: not a point on secp256k1 (${String(error)})`,
      'publicKey',
    );
  }
  const jwk: Secp256k1Jwk = {
    kty: 'EC',
    crv: 'secp256k1',
    x: uncompressed.subarray(1, 33).toString('base64url'),
    y: uncompressed.subarray(33, 65).toString('base64url'),
  };
  const keyObject = createPublicKey({ key: { ...jwk }, format: 'jwk' });
  const publicKeyPem = keyObject.export({ type: 'spki', format: 'pem' }).toString();
  return { publicKeyHex: compressed, jwk, publicKeyPem, keyObject, serial: serialFromPublicKey(compressed) };
}
