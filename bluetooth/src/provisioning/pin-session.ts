/**
 * PIN proof, once per connection: HMAC-SHA256 challenge-response with a fresh server nonce and a
 * client nonce, and a server proof back so the phone knows the box holds the same PIN. Failed
 * attempts are counted across connections (reconnecting does not reset them) and lock out with a
 * doubling delay. See README "Threat model" for what this does and does not protect against.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../../server/src/core/clock.ts';

/** Free attempts before the lock-out starts. */
const FREE_ATTEMPTS = 5;
const LOCKOUT_BASE_MS = 30_000;
const LOCKOUT_MAX_MS = 3_600_000;

/** The message the client's proof signs: `egw-pin-v1:client:<serverNonce>:<clientNonce>`. */
export function pinProof(
  pin: string,
  role: 'client' | 'server',
  serverNonce: string,
  clientNonce: string,
): string {
  return createHmac('sha256', pin).update(`egw-pin-v1:${role}:${serverNonce}:${clientNonce}`).digest('hex');
}

export type ProveResult =
  | { ok: true; serverProof: string }
  | { ok: false; status: 400 | 401 | 429; message: string; retryAfterMs?: number };

/** Challenges, proofs and authenticated connections. */
export class PinSessions {
  private readonly nonces = new Map<string, string>();
  private readonly authenticated = new Set<string>();
  private failures = 0;
  private readonly pin: () => Promise<string>;
  private readonly clock: Clock;
  private lockedUntilMs = 0;

  constructor(pin: () => Promise<string>, clock: Clock) {
    this.pin = pin;
    this.clock = clock;
  }

  /** A fresh server nonce for this connection (replaces any earlier one). */
  challenge(connectionId: string): string {
    const nonce = randomBytes(16).toString('hex');
    this.nonces.set(connectionId, nonce);
    return nonce;
  }

  /** Checks a proof; the nonce is used up either way. */
  async prove(connectionId: string, clientNonce: unknown, proof: unknown): Promise<ProveResult> {
    const now = this.clock.monotonicMs();
    if (now < this.lockedUntilMs) {
      const retryAfterMs = Math.ceil(this.lockedUntilMs - now);
      return {
        ok: false,
        status: 429,
        message: `too many wrong PINs; try again in ${Math.ceil(retryAfterMs / 1000)} s`,
        retryAfterMs,
      };
    }
    const serverNonce = this.nonces.get(connectionId);
    this.nonces.delete(connectionId);
    if (!serverNonce)
      return { ok: false, status: 400, message: 'no challenge on this connection: GET /ble/challenge first' };
    if (typeof clientNonce !== 'string' || !/^[0-9a-f]{16,64}$/.test(clientNonce)) {
      return { ok: false, status: 400, message: 'clientNonce must be 16–64 lower-case hex digits' };
    }
    if (typeof proof !== 'string' || !/^[0-9a-f]{64}$/.test(proof)) {
      return { ok: false, status: 400, message: 'proof must be 64 lower-case hex digits (HMAC-SHA256)' };
    }
    // Counted as a failure BEFORE the first await: attempts arriving while the PIN file is read would
    // otherwise all pass the lock-out check above (50 parallel attempts were all checked).
    this.failures += 1;
    if (this.failures >= FREE_ATTEMPTS) {
      const delay = Math.min(LOCKOUT_MAX_MS, LOCKOUT_BASE_MS * 2 ** (this.failures - FREE_ATTEMPTS));
      this.lockedUntilMs = now + delay;
    }
    const pin = await this.pin();
    const expected = Buffer.from(pinProof(pin, 'client', serverNonce, clientNonce), 'hex');
    if (!timingSafeEqual(expected, Buffer.from(proof, 'hex'))) {
      return { ok: false, status: 401, message: 'wrong PIN' };
    }
    // The right PIN: the holder proved it, so its own attempt and the lock-out are forgiven.
    this.failures = 0;
    this.lockedUntilMs = 0;
    this.authenticated.add(connectionId);
    return { ok: true, serverProof: pinProof(pin, 'server', serverNonce, clientNonce) };
  }

  isAuthenticated(connectionId: string): boolean {
    return this.authenticated.has(connectionId);
  }

  /** Forgets a connection (disconnect): the next connection proves the PIN again. */
  end(connectionId: string): void {
    this.nonces.delete(connectionId);
    this.authenticated.delete(connectionId);
  }
}
