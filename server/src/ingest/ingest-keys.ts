/**
 * Which public key a batch must verify against, per gateway serial. Three sources, strongest first:
 * a configured key (`--public-key`), the gateway's own GET /api/crypto (`--gateway URL`), or — for
 * development only — trust on first use: the key is recovered from the first batch's signature,
 * accepted only if it hashes to the serial in the header, and pinned for that serial from then on.
 */
import { createPublicKey, ECDH, type KeyObject } from 'node:crypto';
import { TransportError } from '../core/errors.ts';
import type { DecodedJwt } from '../identity/jwt.ts';
import { publicKeyInfo, serialFromPublicKey } from '../identity/public-key.ts';
import { secp } from '../identity/secp.ts';

/** How keys are found. */
export type KeySource =
  { kind: 'fixed'; publicKeyHex: string } | { kind: 'gateway'; url: string } | { kind: 'tofu' };

/** Resolves and caches the verification key of each gateway serial. */
export class IngestKeys {
  private readonly source: KeySource;
  private readonly pinned = new Map<string, KeyObject>();

  constructor(source: KeySource) {
    this.source = source;
    if (source.kind === 'fixed') {
      const info = publicKeyInfo(source.publicKeyHex);
      this.pinned.set(info.serial, info.keyObject);
    }
  }

  /** Describes the mode for logs and /stats. */
  describe(): string {
    return this.source.kind === 'gateway' ? `gateway ${this.source.url}` : this.source.kind;
  }

  /** The key for `serial`, or undefined when none can be trusted for it. */
  async keyFor(serial: string, jwt: DecodedJwt): Promise<KeyObject | undefined> {
    const known = this.pinned.get(serial);
    if (known || this.source.kind === 'fixed') return known;
    if (this.source.kind === 'gateway') {
      await this.fetchGatewayKey(this.source.url);
      return this.pinned.get(serial);
    }
    const recovered = recoverKey(serial, jwt);
    if (recovered) this.pinned.set(serial, recovered);
    return recovered;
  }

  private async fetchGatewayKey(base: string): Promise<void> {
    const url = new URL('/api/crypto', base);
    let body: { serial?: unknown; publicKey?: unknown; publicKeyPem?: unknown; alg?: unknown };
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      if (!res.ok) throw new TransportError(`HTTP ${res.status}`, { key: 'gateway' });
      body = (await res.json()) as typeof body;
    } catch (error) {
      throw new TransportError(`GET ${url.href}: ${String(error)}`, { key: 'gateway' }, error);
    }
    if (typeof body.publicKey !== 'string')
      throw new TransportError(`GET ${url.href}: no publicKey in the answer`, { key: 'gateway' });
    if (body.alg === 'ES256' && typeof body.publicKeyPem === 'string') {
      // A hardware-backed (P-256) device key: the serial is derived from its compressed point too.
      const key = createPublicKey(body.publicKeyPem);
      const jwk = key.export({ format: 'jwk' });
      const point = Buffer.concat([
        Buffer.from([4]),
        Buffer.from(String(jwk.x), 'base64url'),
        Buffer.from(String(jwk.y), 'base64url'),
      ]);
      const compressed = ECDH.convertKey(point, 'prime256v1', undefined, 'hex', 'compressed') as string;
      this.pinned.set(serialFromPublicKey(compressed), key);
      return;
    }
    const info = publicKeyInfo(body.publicKey);
    // Trust the key, not the serial field: the serial is always derived from the key.
    this.pinned.set(info.serial, info.keyObject);
  }
}

/** Recovers the signer's key from an ES256K signature (two candidates) and keeps the one matching `serial`. */
function recoverKey(serial: string, jwt: DecodedJwt): KeyObject | undefined {
  if (jwt.signature.length !== 64) return undefined;
  for (const recovery of [0, 1]) {
    try {
      const sig = new Uint8Array(65);
      sig[0] = recovery;
      sig.set(jwt.signature, 1);
      const key = secp.recoverPublicKey(sig, Buffer.from(jwt.signingInput, 'ascii'));
      const hex = Buffer.from(key).toString('hex');
      if (serialFromPublicKey(hex) === serial) return publicKeyInfo(hex).keyObject;
    } catch {
      // Not a valid recovery for this id; try the other one.
    }
  }
  return undefined;
}
