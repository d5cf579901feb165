/** Response schemas of the telemetry routes: GET /api/stats and GET /api/harvests. */
import { z } from 'zod';
import { DeviceStatsSchema, DistributionSchema, ReadingSchema } from './device-responses.ts';

/** Statistics of one task kind (engine/task.ts TaskKindStats). */
const TaskKindStatsSchema = z.object({
  runs: z.number().int(),
  failures: z.number().int(),
  overruns: z.number().int().describe('slots skipped because the previous run was still in flight'),
  lagMs: DistributionSchema.describe('actual start − due time, ms'),
  durationMs: DistributionSchema,
});

/** How an uplink is doing (uplink/uplink.ts UplinkState). */
const UplinkStateSchema = z.object({
  name: z.string().describe('"http", "mqtt", …'),
  state: z.enum(['ok', 'retrying', 'connecting', 'disabled']),
  since: z.number().describe('wall-clock ms since when the state holds'),
  lastError: z.string().optional(),
  acked: z.number().int(),
  retries: z.number().int(),
});

/** GET /api/stats. */
export const StatsSchema = z.object({
  engine: z.record(z.string(), TaskKindStatsSchema).describe('statistics per task kind'),
  devices: z.array(
    z.object({
      id: z.string(),
      profile: z.string(),
      ...DeviceStatsSchema.shape,
      lastReadingTs: z.number().optional().describe('ms since epoch of the latest reading'),
    }),
  ),
  outbox: z.object({
    depth: z.number().int().describe('batches waiting'),
    bytes: z.number().int(),
    oldestAgeMs: z.number().optional().describe('age of the oldest undelivered batch (absent when empty)'),
    dropped: z.number().int(),
    lastSeq: z.number().int(),
    storageErrors: z
      .number()
      .int()
      .optional()
      .describe('appends that failed for lack of space or an I/O error'),
    held: z.number().int().optional().describe('batches waiting in memory for the disk'),
    delivered: z.number().int().optional().describe('delivered batches still kept for /api/harvests'),
    databaseUnavailable: z
      .string()
      .optional()
      .describe('set while egw.db cannot be opened (full disk): path and reason; batches are held meanwhile'),
  }),
  uplinks: z.array(UplinkStateSchema),
  events: z.object({ clients: z.number().int(), dropped: z.number().int() }).describe('live-event clients'),
  api: z
    .object({
      shedding: z.boolean(),
      busy: z.boolean(),
      shedRequests: z.number().int(),
      window: z.object({ runs: z.number().int(), lateRuns: z.number().int(), requestsPerS: z.number() }),
    })
    .describe('load shedding'),
  settings: z.object({
    ignoredStored: z.string().nullable().describe('why the stored API settings are not in force, or null'),
  }),
  uptimeMs: z.number().int(),
});

/** One signed batch as the outbox keeps it. */
export const BatchRecordSchema = z.object({
  seq: z.number().int().min(1),
  createdAt: z.number().describe('ms since epoch'),
  header: z.object({
    alg: z.enum(['ES256K', 'ES256']),
    typ: z.literal('JWT'),
    device: z.string().describe('gateway serial'),
    opr: z.literal('production'),
    model: z.string().describe('profile id'),
    seq: z.number().int().min(1),
    epoch: z.number().int().min(2).optional().describe('signing epoch, from 2 on'),
  }),
  payload: z.record(z.string().regex(/^[0-9]+$/), ReadingSchema).describe('harvest ts (ms) → reading'),
  jwt: z.string().describe('the signed batch (ES256K or ES256 JWT)'),
  ackedBy: z.array(z.string()).describe('uplinks that acknowledged it'),
});

/** GET /api/harvests. */
export const HarvestsSchema = z.object({
  batches: z.array(BatchRecordSchema).describe('newest first'),
  nextBeforeSeq: z.number().int().optional().describe('present when the answer was cut at 1 MiB'),
});
