/**
 * GET/POST /api/logger: log levels per part at run time, reverting after a while (token required).
 * The `ble` part is egw-ble, a separate process: relayed to its control socket, reverted on its clock.
 */
import type { z } from 'zod';
import { defineRoute, type AnyRoute } from '../route-spec.ts';
import type { RouteDeps } from '../route-deps.ts';
import { LogLevelsSchema } from '../responses/operations-responses.ts';
import { LoggerBodySchema } from '../schemas.ts';
import { BleNotRunning } from '../../notifications/ble-log-levels.ts';

/** The logger route group. */
export function loggerRoutes({ services }: RouteDeps): AnyRoute[] {
  const levels = services.logLevels;
  const ble = services.bleLogLevels;
  const view = async (): Promise<z.input<typeof LogLevelsSchema>> => {
    const bleView = await ble?.view();
    return {
      configured: levels.configured,
      overrides: [...levels.list(), ...(bleView?.overrides ?? []).map((o) => ({ area: 'ble', ...o }))],
      ble: bleView ? { running: true, configured: bleView.configured } : { running: false },
    };
  };
  return [
    defineRoute({
      method: 'GET',
      path: '/api/logger',
      operationId: 'getLogLevels',
      summary:
        'the configured log level and the run-time overrides with when each reverts, egw-ble’s included (needs the token)',
      tag: 'operations',
      auth: true,
      response: LogLevelsSchema,
      handler: view,
    }),
    defineRoute({
      method: 'POST',
      path: '/api/logger',
      operationId: 'setLogLevel',
      summary:
        'set the log level of a part (area and/or device, or ble) for a while (default 30 min), or revert it; 503 for ble when egw-ble is not running',
      tag: 'operations',
      body: LoggerBodySchema,
      response: LogLevelsSchema,
      errors: { 503: 'part "ble" while egw-ble does not run' },
      handler: async (_ctx, { body }) => {
        if (body.part === 'ble') {
          if (!ble) throw new BleNotRunning('this gateway has no BLE service');
          await ble.set(body.level, body.durationMs);
          return view();
        }
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
