/** Response schemas of the system routes: hello, version, uptime, crypto, name. */
import { z } from 'zod';

/** GET /api/hello. */
export const HelloSchema = z.object({ hello: z.literal('egw'), serial: z.string() });

/** GET /api/version. */
export const VersionSchema = z.object({
  version: z.string().describe('gateway version'),
  node: z.string().describe('Node.js version'),
  api: z.literal(1).describe('API generation'),
});

/** GET /api/uptime. */
export const UptimeSchema = z.object({
  msek: z.number().int().describe('ms since start (the original firmware’s field)'),
  uptimeMs: z.number().int(),
  startedAt: z.iso.datetime().describe('wall-clock start'),
});

/** GET /api/crypto. */
export const CryptoSchema = z.object({
  serial: z.string(),
  publicKey: z.string().describe('compressed public key, hex'),
  publicKeyPem: z.string(),
  jwk: z.object({ kty: z.literal('EC'), crv: z.enum(['secp256k1', 'P-256']), x: z.string(), y: z.string() }),
  alg: z.enum(['ES256K', 'ES256']).describe('JWS algorithm of the device key'),
  deviceName: z.string().describe('the gateway’s human name (original firmware field)'),
  serialNumber: z.string().describe('same as serial (original firmware field)'),
});

/** GET /api/name. */
export const NameSchema = z.object({
  name: z.string(),
  source: z.enum(['backend', 'derived']),
  serial: z.string(),
});
