/**
 * One zod schema per request body, query and path. The same objects validate requests and generate the
 * OpenAPI document (z.toJSONSchema), so the documentation cannot drift from what is enforced.
 */
import { z } from 'zod';
import { ConfigSchema, HarvestSettingsSchema, RtuDeviceSchema, TcpDeviceSchema } from '../config/schema.ts';

const deviceId = TcpDeviceSchema.shape.id;

/** POST /api/devices: a device config; the id is generated when absent. */
export const DeviceBodySchema = z
  .discriminatedUnion('type', [
    z.strictObject({ ...TcpDeviceSchema.shape, id: deviceId.optional() }),
    z.strictObject({ ...RtuDeviceSchema.shape, id: deviceId.optional() }),
  ])
  .describe('a Modbus TCP or RTU device');

/** POST /api/inverter: the original firmware's body, kept for old clients. */
export const InverterBodySchema = z
  .strictObject({
    ip: z.string().min(1).max(253).describe('inverter host name or IP address'),
    port: z
      .number()
      .int()
      .min(1)
      .max(65535)
      .optional()
      .describe("Modbus TCP port (default: the profile's, else 502)"),
    type: z
      .string()
      .min(1)
      .max(64)
      .describe('profile id (kept as sent, any case: "SMA" reads with sma) or brand, e.g. "Kostal"'),
    address: z
      .number()
      .int()
      .min(0)
      .max(255)
      .optional()
      .describe("Modbus unit id (default: the profile's, else 1)"),
    id: deviceId.optional(),
  })
  .describe("the original firmware's inverter body");

/** Path parameters of /api/devices/:id…. */
export const DeviceParamsSchema = z.object({ id: deviceId });

/** GET /api/harvests query. */
export const HarvestsQuerySchema = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(20)
    .describe('most recent batches to return (1–1000, default 20); an answer is cut at 1 MiB'),
  beforeSeq: z.coerce
    .number()
    .int()
    .min(1)
    .optional()
    .describe('only batches with a smaller seq: the nextBeforeSeq of the previous page'),
});

/** GET /api/events query. */
export const EventsQuerySchema = z.object({
  frequency: z.coerce
    .number()
    .min(0)
    .max(10)
    .default(10)
    .describe('frequency samples per second per device (0 mutes them; at most 10)'),
});

/** A zod object whose every key is optional and has no default, so a patch only carries what was sent. */
function patchOf<T extends z.ZodRawShape>(shape: T): z.ZodObject {
  const entries = Object.entries(shape).map(([key, schema]) => {
    let inner: z.ZodType = schema as z.ZodType;
    while (
      inner instanceof z.ZodDefault ||
      inner instanceof z.ZodPrefault ||
      inner instanceof z.ZodOptional
    ) {
      inner = inner.unwrap() as z.ZodType;
    }
    return [key, inner.optional()] as const;
  });
  return z.strictObject(Object.fromEntries(entries));
}

/** POST /api/settings: a partial update of the runtime settings. */
export const SettingsPatchSchema = z
  .strictObject({
    harvest: patchOf(HarvestSettingsSchema.shape).optional(),
    ingest: patchOf(ConfigSchema.shape.ingest.unwrap().shape).optional(),
    mqtt: patchOf(ConfigSchema.shape.mqtt.unwrap().shape).optional(),
  })
  .describe('settings to change; keys left out keep their value');

/** POST /api/wifi: join a network. */
export const WifiConnectSchema = z.strictObject({
  ssid: z.string().min(1).max(32).describe('network name'),
  passphrase: z.string().min(8).max(63).optional().describe('WPA passphrase (never logged)'),
});

/** POST /api/initialize: bind the gateway to a wallet. */
export const InitializeBodySchema = z.strictObject({
  wallet: z
    .string()
    .regex(/^0x[0-9a-fA-F]{40}$/, 'expected an Ethereum address: 0x and 40 hex digits')
    .describe('wallet address the gateway is bound to'),
});

/** The error envelope every failure uses. */
export const ErrorResponseSchema = z.object({
  error: z.object({
    code: z.string().describe('stable machine-readable code'),
    message: z.string().describe('what was wrong, naming the value and the rule'),
    field: z.string().describe('the offending field, header or part of the request'),
  }),
});

/** Path parameters of /api/notifications/:id…. */
export const NotificationParamsSchema = z.object({
  id: z
    .string()
    .regex(/^[0-9]{1,12}$/, 'expected a notification id (digits)')
    .describe('notification id'),
});

/** Areas whose log level can change at run time (the `area` of their loggers; `ble` is egw-ble, another process). */
export const LOG_AREAS = [
  'engine',
  'modbus',
  'harvest',
  'devices',
  'outbox',
  'uplink',
  'api',
  'notifications',
  'gateway',
  'ble',
] as const;

/** POST /api/logger: a level for a part (an area, a device, or both) for a while. */
export const LoggerBodySchema = z
  .strictObject({
    part: z
      .enum(LOG_AREAS)
      .optional()
      .describe('area of the gateway (its loggers’ `area`); `ble` is the BLE service egw-ble as a whole'),
    device: deviceId.optional().describe('a device id: every logger of that device'),
    level: z
      .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent', 'default'])
      .describe('the level; "default" reverts the part to the configured level now'),
    durationMs: z
      .number()
      .int()
      .min(1000)
      .max(86_400_000)
      .default(1_800_000)
      .describe('how long the level holds before it reverts, ms (default 30 min)'),
  })
  .refine((body) => body.part !== undefined || body.device !== undefined, {
    message: 'name a part, a device or both',
    path: ['part'],
  })
  .refine((body) => body.part !== 'ble' || body.device === undefined, {
    message: 'the ble part is the whole BLE service: no device with it',
    path: ['device'],
  })
  .describe('a run-time log level for part and/or device');
