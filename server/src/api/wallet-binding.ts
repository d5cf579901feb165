/**
 * The one message POST /api/initialize signs: a fixed wallet-binding JWT. Nothing the caller sends is
 * signed except the wallet address, which the schema restricts to 0x + 40 hex digits.
 *   header:  {"alg":"ES256K","typ":"JWT","device":<serial>,"opr":"wallet-binding"}
 *   payload: {"serial":<serial>,"walletAddress":<0x… lower case>,"ts":<ms since epoch>}
 * D1's signing module may adopt this format; until then the API builds it here over identity.signJwt.
 */
import type { GatewayIdentity } from '../gateway/gateway-services.ts';

/** The signed binding and its parts. */
export interface WalletBinding {
  header: { alg: 'ES256K'; typ: 'JWT'; device: string; opr: 'wallet-binding' };
  payload: { serial: string; walletAddress: string; ts: number };
  jwt: string;
}

/** Signs the wallet-binding message for walletAddress at tsMs with the device key. */
export function signWalletBindingMessage(
  identity: GatewayIdentity,
  walletAddress: string,
  tsMs: number,
): WalletBinding {
  const header = { alg: 'ES256K', typ: 'JWT', device: identity.serial, opr: 'wallet-binding' } as const;
  const payload = { serial: identity.serial, walletAddress: walletAddress.toLowerCase(), ts: tsMs };
  return { header, payload, jwt: identity.signJwt(header, payload) };
}
