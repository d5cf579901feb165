/** GET/POST /api/wifi: scan and join networks through NetworkManager; 501 where there is none. */
import { defineRoute, type AnyRoute } from '../route-spec.ts';
import type { RouteDeps } from '../route-deps.ts';
import { WifiConnectedSchema, WifiViewSchema } from '../responses/operations-responses.ts';
import { WifiConnectSchema } from '../schemas.ts';

const NO_NETWORK_MANAGER = { 501: 'this box has no NetworkManager' };

/** The wifi route group. */
export function wifiRoutes({ services }: RouteDeps): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/api/wifi',
      operationId: 'getWifi',
      summary: 'Wi-Fi state and visible networks (needs the token)',
      tag: 'wifi',
      auth: true,
      response: WifiViewSchema,
      errors: NO_NETWORK_MANAGER,
      handler: async () => ({ status: await services.wifi.status(), networks: await services.wifi.scan() }),
    }),
    defineRoute({
      method: 'POST',
      path: '/api/wifi',
      operationId: 'connectWifi',
      summary: 'join a Wi-Fi network',
      tag: 'wifi',
      body: WifiConnectSchema,
      response: WifiConnectedSchema,
      errors: NO_NETWORK_MANAGER,
      handler: async (_ctx, { body }) => ({
        status: await services.wifi.connect(body.ssid, body.passphrase),
      }),
    }),
  ];
}
