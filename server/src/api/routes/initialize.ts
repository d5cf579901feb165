/** POST /api/initialize: bind the gateway to a wallet by signing the fixed wallet-binding message. */
import { defineRoute, type AnyRoute } from '../route-spec.ts';
import type { RouteDeps } from '../route-deps.ts';
import { InitializeBodySchema } from '../schemas.ts';
import { signWalletBindingMessage } from '../wallet-binding.ts';

/** The initialize route group. */
export function initializeRoutes({ services }: RouteDeps): AnyRoute[] {
  return [
    defineRoute({
      method: 'POST',
      path: '/api/initialize',
      operationId: 'initialize',
      summary: 'sign the wallet-binding message (serial, wallet address, timestamp) with the device key',
      tag: 'identity',
      body: InitializeBodySchema,
      handler: (_ctx, { body }) =>
        signWalletBindingMessage(services.identity, body.walletAddress, services.clock.nowMs()),
    }),
  ];
}
