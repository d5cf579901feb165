/** GET/POST /api/logger: log levels per part at run time, reverting after a while (token required). */
import { defineRoute, type AnyRoute } from '../route-spec.ts';
import type { RouteDeps } from '../route-deps.ts';
import { LoggerBodySchema } from '../schemas.ts';

/** The logger route group. */
export function loggerRoutes({ services }: RouteDeps): AnyRoute[] {
  const levels = services.logLevels;
  const view = () => ({ configured: levels.configured, overrides: levels.list() });
  return [
    defineRoute({
      method: 'GET',
      path: '/api/logger',
      operationId: 'getLogLevels',
      summary: 'the configured log level and the run-time overrides with when each reverts (needs the token)',
      tag: 'operations',
      auth: true,
      handler: view,
    }),
    defineRoute({
      method: 'POST',
      path: '/api/logger',
      operationId: 'setLogLevel',
      summary: 'set the log level of a part (area and/or device) for a while (default 30 min), or revert it',
      tag: 'operations',
      body: LoggerBodySchema,
      handler: (_ctx, { body }) => {
        const part = {
          ...(body.part !== undefined ? { area: body.part } : {}),
          ...(body.device !== undefined ? { device: body.device } : {}),
        };
        if (body.level === 'default') levels.reset(part);
        else levels.set(part, body.level, body.durationMs);
        return view();
      },
    }),
  ];
}
