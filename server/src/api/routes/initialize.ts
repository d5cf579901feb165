/**
 * POST /api/initialize: bind the gateway to a wallet. Only the fixed wallet-binding message of the
 * signing module is signed (header opr "initialize"; payload wallet, serial, publicKey, ts) — never
 * caller-supplied data beyond the schema-checked address.
 */
import { signWalletBinding } from '../../identity/wallet-binding.ts';
import { defineRoute, type AnyRoute } from '../route-spec.ts';
import type { RouteDeps } from '../route-deps.ts';
import { WalletBindingSchema } from '../responses/operations-responses.ts';
import { InitializeBodySchema } from '../schemas.ts';

function decodePart(part: string | undefined): unknown {
  return JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8'));
}

/** The initialize route group. */
export function initializeRoutes({ services }: RouteDeps): AnyRoute[] {
  return [
    defineRoute({
      method: 'POST',
      path: '/api/initialize',
      operationId: 'initialize',
      summary:
        'sign the wallet-binding message (wallet address, serial, public key, timestamp) with the device key',
      tag: 'identity',
      body: InitializeBodySchema,
      response: WalletBindingSchema,
      handler: (_ctx, { body }) => {
        const jwt = signWalletBinding(services.identity, { wallet: body.wallet, ts: services.clock.nowMs() });
        const [header, payload] = jwt.split('.');
        // Parsed with the response schema: the decoded parts are what was just signed, checked anyway.
        return WalletBindingSchema.parse({ jwt, header: decodePart(header), payload: decodePart(payload) });
      },
    }),
  ];
}
