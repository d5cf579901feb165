/**
 * Response schemas of the devices routes: the device view, the canonical reading, frequency samples
 * and register captures. The handlers return values of these schemas' types, and the OpenAPI document
 * shows them (z.toJSONSchema), so neither can drift from the other.
 */
import { z } from 'zod';
import { DeviceConfigSchema } from '../../config/schema.ts';
import { DEVICE_STATUSES, NUMERIC_FIELDS, TEXT_FIELDS } from '../../core/reading.ts';
import { RegisterCaptureSchema } from '../../profiles/register-capture.ts';

/** An optional field of the given schema for every key, keyed as the list names them. */
function optionalFields<K extends string, S extends z.ZodType>(
  keys: readonly K[],
  schema: S,
): Record<K, z.ZodOptional<S>> {
  return Object.fromEntries(keys.map((key) => [key, schema.optional()])) as Record<K, z.ZodOptional<S>>;
}

/** p50/p99/max of a measured quantity, ms. */
export const DistributionSchema = z.object({ p50: z.number(), p99: z.number(), max: z.number() });

/** The canonical reading (DESIGN "Devices and the canonical reading"): SI units, absent fields omitted. */
export const ReadingSchema = z
  .object({
    device: z.string().describe('device id'),
    profile: z.string().describe('profile id'),
    ts: z.number().describe('when the read started, ms since epoch'),
    read_ms: z.number().describe('how long the read took, ms'),
    status: z.enum(DEVICE_STATUSES).optional().describe('operating state of an inverter'),
    ...optionalFields(NUMERIC_FIELDS, z.number()),
    ...optionalFields(TEXT_FIELDS, z.string()),
    grid_frequency_min_hz: z.number().optional(),
    grid_frequency_max_hz: z.number().optional(),
    grid_frequency_mean_hz: z.number().optional(),
    grid_frequency_samples: z.number().int().optional().describe('10 Hz samples in the harvest window'),
    stale: z.boolean().optional().describe('no good reading for 3 harvest periods: this one is not live'),
  })
  .describe('a canonical reading, SI units (units in the field names)');

/** Modbus counters of one device (modbus/modbus-observer.ts DeviceStats). */
export const DeviceStatsSchema = z.object({
  state: z
    .enum(['connecting', 'connected', 'backoff', 'disconnected', 'closed'])
    .describe('the socket’s state'),
  requests: z.number().int(),
  failures: z.number().int(),
  timeouts: z.number().int(),
  reconnects: z.number().int(),
  malformed: z.number().int().optional().describe('replies that did not parse'),
  exceptions: z.record(z.string(), z.number().int()).describe('exception responses by two-digit hex code'),
  latencyMs: DistributionSchema,
  lastError: z.string().optional(),
  lastOkAt: z.number().optional().describe('wall-clock ms of the last successful request'),
  captures: z.number().int().describe('raw register captures kept of reads that failed'),
  absentBlocks: z
    .record(z.string(), z.number().int())
    .optional()
    .describe('optional blocks lacked, by "fc:start"'),
});

/** State from the outcome of a device's reads (harvest/device-status.ts). */
export const DeviceStatusSchema = z.object({
  state: z.enum(['connected', 'failing', 'backoff', 'offline']),
  reason: z.string().optional().describe('why the device is not connected'),
  lastGoodAt: z.number().optional().describe('wall-clock ms of the last good reading'),
  lastGoodAgeMs: z.number().optional(),
  stale: z.boolean(),
});

/** A configured device with its state, counters and latest reading. */
export const DeviceViewSchema = z
  .object({
    id: z.string(),
    config: DeviceConfigSchema,
    state: z.enum(['connected', 'failing', 'backoff', 'offline', 'connecting', 'disconnected', 'closed']),
    status: DeviceStatusSchema.optional(),
    closeBetweenPolls: z.boolean().optional(),
    stats: DeviceStatsSchema,
    reading: ReadingSchema.optional(),
  })
  .describe('a device: config, state, Modbus counters, latest reading');

/** GET /api/devices. */
export const DeviceListSchema = z.object({ devices: z.array(DeviceViewSchema) });

/** DELETE /api/devices/:id. */
export const DeviceRemovedSchema = z.object({ removed: z.string().describe('id of the removed device') });

/** GET /api/devices/:id/frequency. */
export const FrequencySnapshotSchema = z.object({
  device: z.string(),
  samples: z.array(z.object({ ts: z.number().describe('ms since epoch'), hz: z.number() })),
  stats: z.object({
    count: z.number().int(),
    minHz: z.number().optional(),
    maxHz: z.number().optional(),
    meanHz: z.number().optional(),
  }),
});

/** GET /api/devices/:id/captures. */
export const DeviceCapturesSchema = z.object({
  device: z.string(),
  captures: z.array(RegisterCaptureSchema).describe('failed polls, oldest first'),
  lastPoll: RegisterCaptureSchema.optional().describe('the last good poll'),
});

/** GET /api/devices/:id/power. */
export const PowerHistorySchema = z.object({
  device: z.string(),
  samples: z
    .array(z.object({ ts: z.number().describe('ms since epoch'), w: z.number().describe('W') }))
    .describe('oldest first: AC power, or grid power for a meter'),
});
