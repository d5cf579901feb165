/** GET /api/events: server-sent events (readings, frequency samples, state changes). */
import { defineRoute, type AnyRoute } from '../route-spec.ts';
import type { RouteDeps } from '../route-deps.ts';
import { EventStreamSchema } from '../responses/docs-responses.ts';
import { EventsQuerySchema } from '../schemas.ts';

/** The live-events route group. */
export function eventRoutes({ events }: RouteDeps): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/api/events',
      operationId: 'events',
      summary:
        'server-sent events: reading, frequency (throttled per client; ?frequency=0 mutes), device-state, ' +
        'uplink-state, batch, devices-changed, state (also first on connect); heartbeat comments',
      tag: 'telemetry',
      query: EventsQuerySchema,
      produces: 'text/event-stream',
      response: EventStreamSchema,
      errors: { 503: 'too many live clients' },
      handler: (ctx, { query }) => {
        if (ctx.method === 'HEAD') {
          ctx.type = 'text/event-stream';
          ctx.status = 200;
          return undefined;
        }
        events.attach(ctx, query.frequency);
        return undefined;
      },
    }),
  ];
}
