/** Health and history: GET /api/stats (engine, devices, outbox, uplinks) and GET /api/harvests. */
import { defineRoute, type AnyRoute } from '../route-spec.ts';
import type { RouteDeps } from '../route-deps.ts';
import { HarvestsQuerySchema } from '../schemas.ts';

/** The telemetry route group. */
export function telemetryRoutes({ services, events }: RouteDeps): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/api/stats',
      operationId: 'stats',
      summary: 'task engine statistics per kind, per-device state and Modbus counters, outbox, uplinks',
      tag: 'telemetry',
      handler: () => ({
        engine: services.engineStats(),
        devices: services.devices.list().map((d) => ({
          id: d.config.id,
          profile: d.config.profile,
          ...d.stats,
          lastReadingTs: d.reading?.ts,
        })),
        outbox: services.outbox.stats(),
        uplinks: services.uplinks(),
        events: { clients: events.clientCount, dropped: events.dropped },
        uptimeMs: Math.round(services.clock.monotonicMs() - services.startedAtMs),
      }),
    }),
    defineRoute({
      method: 'GET',
      path: '/api/harvests',
      operationId: 'harvests',
      summary: 'recent signed batches (header, payload, JWT), newest first',
      tag: 'telemetry',
      query: HarvestsQuerySchema,
      handler: (_ctx, { query }) => ({ batches: services.outbox.recent(query.limit) }),
    }),
  ];
}
