/** Health and history: GET /api/stats (engine, devices, outbox, uplinks) and GET /api/harvests. */
import type { Context } from 'koa';
import type { z } from 'zod';
import { defineRoute, type AnyRoute } from '../route-spec.ts';
import type { RouteDeps } from '../route-deps.ts';
import { batchesBody } from '../harvests/batches-body.ts';
import { BatchJsonCache } from '../harvests/batch-json-cache.ts';
import { PagePacer } from '../harvests/page-pacer.ts';
import { HarvestsQuerySchema } from '../schemas.ts';
import { HarvestsSchema, StatsSchema } from '../responses/telemetry-responses.ts';

/**
 * How long a /api/stats body is reused while the API is busy, ms. The body is recomputed (percentiles
 * over the engine's windows, every device) per request; under a flood of polls a copy this fresh is as
 * good and saves the event loop for sampling. When the API is not busy every answer is fresh.
 */
export const STATS_CACHE_MS = 250;
/** Pause between the pages of a /api/harvests answer while sampling is behind, ms (one 10 Hz period). */
export const BEHIND_PAGE_PAUSE_MS = 100;

/** The telemetry route group. */
export function telemetryRoutes({ services, events, shedder }: RouteDeps): AnyRoute[] {
  const statsBody = (): z.input<typeof StatsSchema> => ({
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
    api: shedder.state(),
    settings: { ignoredStored: services.settings.ignoredReason?.() ?? null },
    uptimeMs: Math.round(services.clock.monotonicMs() - services.startedAtMs),
  });
  let cached: { atMs: number; json: string } | undefined;
  // Concurrent readers of /api/harvests ask for the same newest batches: their JSON is built once.
  const batchJson = new BatchJsonCache();
  const pacer = new PagePacer(services.clock);
  const stats = (ctx: Context): z.input<typeof StatsSchema> | undefined => {
    if (!shedder.busy()) {
      cached = undefined;
      return statsBody();
    }
    const nowMs = services.clock.monotonicMs();
    if (!cached || nowMs - cached.atMs >= STATS_CACHE_MS) {
      cached = { atMs: nowMs, json: JSON.stringify(statsBody()) };
    }
    ctx.type = 'json';
    ctx.body = cached.json;
    return undefined;
  };
  return [
    defineRoute({
      method: 'GET',
      path: '/api/stats',
      operationId: 'stats',
      tag: 'telemetry',
      response: StatsSchema,
      summary:
        'task engine statistics per kind, per-device state and Modbus counters, outbox, uplinks, ' +
        'API load shedding (a copy up to 250 ms old while the API is busy)',
      handler: stats,
    }),
    defineRoute({
      method: 'GET',
      path: '/api/harvests',
      operationId: 'harvests',
      summary:
        'recent signed batches (header, payload, JWT), newest first; an answer stops at 1 MiB with ' +
        'nextBeforeSeq, to pass as beforeSeq for the next page',
      tag: 'telemetry',
      query: HarvestsQuerySchema,
      response: HarvestsSchema,
      handler: (ctx, { query }) => {
        // Streamed page by page (batches-body.ts): a large answer never holds the event loop.
        ctx.type = 'json';
        ctx.body = batchesBody(
          (limit, before) => services.outbox.recent(limit, before),
          {
            ...query,
            // Paced over all answers; while sampling is behind, a page also waits a sampling period.
            beforePage: () =>
              shedder.behind() ? services.clock.sleep(BEHIND_PAGE_PAUSE_MS, 'harvests-page') : pacer.wait(),
          },
          (batch) => batchJson.json(batch),
        );
        return undefined;
      },
    }),
  ];
}
