/**
 * The wallet-binding message of POST /api/initialize: the device key states "this gateway belongs to
 * that wallet" in a JWT whose header and payload are fixed here; callers only supply the address.
 */
import { ValidationError } from '../core/errors.ts';
import type { GatewayIdentity } from './gateway-identity.ts';

/** Header of a wallet-binding JWT. */
export interface WalletBindingHeader {
  alg: 'ES256K';
  typ: 'JWT';
  device: string;
  opr: 'initialize';
  [key: string]: unknown;
}

/** Payload of a wallet-binding JWT. */
export interface WalletBindingPayload {
  /** Ethereum-style address, lower-cased "0x" + 40 hex. */
  wallet: string;
  /** Gateway serial (same as header.device). */
  serial: string;
  /** Compressed public key, hex, so a verifier needs nothing else. */
  publicKey: string;
  /** When it was signed, ms since epoch. */
  ts: number;
}

/** Signs the binding of `wallet` to this gateway; throws ValidationError (field "wallet"/"ts") on bad input. */
export function signWalletBinding(
  identity: GatewayIdentity,
  request: { wallet: string; ts: number },
): string {
  if (typeof request.wallet !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(request.wallet)) {
    throw new ValidationError('wallet: expected "0x" followed by 40 hex digits', 'wallet');
  }
  if (!Number.isSafeInteger(request.ts) || request.ts <= 0) {
    throw new ValidationError(`ts ${request.ts}: expected ms since epoch`, 'ts');
  }
  const header: WalletBindingHeader = {
    alg: 'ES256K',
    typ: 'JWT',
    device: identity.serial,
    opr: 'initialize',
  };
  const payload: WalletBindingPayload = {
    wallet: request.wallet.toLowerCase(),
    serial: identity.serial,
    publicKey: identity.publicKeyHex,
    ts: request.ts,
  };
  return identity.signJwt(header, payload);
}
