/**
 * Which web API routes are reachable over BLE, and what each needs. Anything not listed answers 404:
 * streams (/api/events), bulk data (/api/harvests), metrics and docs are not for a 512-byte link.
 */
import { DEVICE_ID_PATTERN } from '../../../server/src/config/device-id.ts';

/**
 * - `identity`: read-only identity and liveness, served before the PIN is proven (a phone must see
 *   which box it talks to).
 * - `read`: state an installer needs, after the PIN.
 * - `mutate`: changes the box: after the PIN and only while the provisioning window is open.
 */
export type RouteAccess = 'identity' | 'read' | 'mutate';

interface RouteRule {
  method: string;
  pattern: RegExp;
  access: RouteAccess;
}

const ID = DEVICE_ID_PATTERN;

/** The allow-list, documented in README ("Bluetooth provisioning"). */
export const BLE_ROUTES: readonly RouteRule[] = [
  { method: 'GET', pattern: /^\/api\/(hello|version|uptime|crypto|name)$/, access: 'identity' },
  { method: 'GET', pattern: new RegExp(`^/api/devices(/${ID}(/reading)?)?$`), access: 'read' },
  { method: 'GET', pattern: /^\/api\/(stats|wifi|settings)$/, access: 'read' },
  { method: 'POST', pattern: /^\/api\/(devices|inverter|wifi|settings|initialize)$/, access: 'mutate' },
  { method: 'DELETE', pattern: new RegExp(`^/api/devices/${ID}$`), access: 'mutate' },
];

/** The access class of a request, or undefined when BLE may not reach it. The query string is ignored. */
export function routeAccess(method: string, path: string): RouteAccess | undefined {
  const bare = path.split('?')[0] ?? path;
  return BLE_ROUTES.find((rule) => rule.method === method && rule.pattern.test(bare))?.access;
}
