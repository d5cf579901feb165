/** The gateway's signing identity (the device key), as the outbox, the API and the uplinks see it. */

/** The gateway's signing identity (the device key). Never exposes the private key. */
export interface GatewayIdentity {
  /** Derived from the public key, stable across restarts, e.g. "EGW-3F9A…". */
  readonly serial: string;
  /** Compressed secp256k1 public key, hex (66 chars). */
  readonly publicKeyHex: string;
  readonly publicKeyPem: string;
  readonly jwk: { kty: 'EC'; crv: 'secp256k1' | 'P-256'; x: string; y: string };
  /** JWS algorithm of signJwt: ES256K (secp256k1, the file key) or ES256 (P-256, a PKCS#11 token); default ES256K. */
  readonly alg?: 'ES256K' | 'ES256';
  /** Signs a JWT (ES256K) with the device key. Callers build header and payload; never from raw client input. */
  signJwt(header: Record<string, unknown>, payload: unknown): string;
}
