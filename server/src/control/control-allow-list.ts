/**
 * Which API routes the cloud control channel may run (DESIGN.md "Cloud control channel"). Built from
 * the API's own route table, so it can never be wider than the local API: an entry must name a route
 * the API has, and a few routes are never reachable from the cloud whatever the configuration says.
 */
import { ConfigError } from '../core/errors.ts';

/** A route of the local API as the allow-list sees it: method and Koa path ("/api/devices/:id"). */
export interface ApiRouteRef {
  method: string;
  path: string;
}

/** Writes beyond the reads that the default list allows. */
export const DEFAULT_CONTROL_WRITES: readonly string[] = [
  'POST /api/settings',
  'POST /api/devices',
  'DELETE /api/devices/:id',
  'POST /api/logger',
  'POST /api/notifications/:id/ack',
];

/** Never from the cloud: first-time set-up, Wi-Fi, the live event stream (and the BLE service, which is not in this API). */
const NEVER = [/^\/api\/initialize(\/|$)/, /^\/api\/wifi(\/|$)/, /^\/api\/events(\/|$)/];

const key = (route: ApiRouteRef): string => `${route.method} ${route.path}`;
const isNever = (path: string): boolean => NEVER.some((rule) => rule.test(path));

/** One compiled entry: the method and a regular expression over the request path. */
interface AllowEntry {
  method: string;
  pattern: RegExp;
  route: string;
}

/** A path segment as requests may carry it: no "." or ".." segments, no encoded slashes or controls. */
const SEGMENT = /^(?!\.\.?$)[A-Za-z0-9._~:@-]+$/;

/** The compiled allow-list. */
export class ControlAllowList {
  readonly routes: readonly string[];
  readonly #entries: AllowEntry[];

  /**
   * @param apiRoutes the local API's routes (method + Koa path)
   * @param configured `control.allow` ("METHOD /api/path" each); undefined = the default list
   */
  constructor(apiRoutes: readonly ApiRouteRef[], configured?: readonly string[]) {
    const known = new Set(apiRoutes.map(key));
    const wanted =
      configured ??
      [
        ...apiRoutes.filter((r) => r.method === 'GET' && r.path.startsWith('/api/')).map(key),
        ...DEFAULT_CONTROL_WRITES,
      ].filter((entry) => known.has(entry));
    const entries: AllowEntry[] = [];
    for (const entry of wanted) {
      const [method = '', path = ''] = entry.split(' ');
      if (isNever(path)) {
        if (configured) {
          throw new ConfigError(
            `control.allow "${entry}": ${path} is never reachable from the control channel`,
            'control.allow',
          );
        }
        continue;
      }
      if (!known.has(entry)) {
        throw new ConfigError(
          `control.allow "${entry}": not a route of the local API (the list can never be wider than it)`,
          'control.allow',
        );
      }
      const source = path
        .split('/')
        .map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
        .join('/');
      entries.push({ method, pattern: new RegExp(`^${source}$`), route: entry });
    }
    this.#entries = entries;
    this.routes = entries.map((e) => e.route);
  }

  /** Whether `method path` (path without query) is allowed; odd paths ("..", "//", encodings) never are. */
  allows(method: string, path: string): boolean {
    if (!path.startsWith('/api/') || isNever(path)) return false;
    if (
      !path
        .slice(1)
        .split('/')
        .every((segment) => SEGMENT.test(segment))
    )
      return false;
    return this.#entries.some((e) => e.method === method && e.pattern.test(path));
  }
}
