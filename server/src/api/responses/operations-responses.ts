/**
 * Response schemas of the operations, settings, Wi-Fi and identity routes: state, notifications,
 * log levels, settings, Wi-Fi, wallet binding.
 */
import { z } from 'zod';
import { ConfigSchema, HarvestSettingsSchema } from '../../config/schema.ts';
import { GATEWAY_STATES } from '../../notifications/gateway-state.ts';
import { NOTIFICATION_CODES, type NotificationCode } from '../../notifications/notification.ts';

const CODES = Object.keys(NOTIFICATION_CODES) as [NotificationCode, ...NotificationCode[]];
const SeveritySchema = z.enum(['info', 'warning', 'error']);

/** One notification (notifications/notification.ts). */
export const NotificationSchema = z.object({
  id: z.string().describe('unique per raise in this run of the gateway'),
  code: z.enum(CODES),
  severity: SeveritySchema,
  message: z.string(),
  device: z.string().optional(),
  subject: z.string().optional().describe('an uplink name or a path, when not a device'),
  since: z.number().describe('wall-clock ms when raised'),
  cleared: z.number().optional().describe('wall-clock ms when cleared'),
  acked: z.boolean(),
  ackedAt: z.number().optional(),
});

/** GET /api/notifications. */
export const NotificationListSchema = z.object({
  active: z.array(NotificationSchema).describe('newest first'),
  recent: z.array(NotificationSchema).describe('recently cleared'),
});

/** GET /api/state. */
export const GatewayStateSchema = z.object({
  state: z.enum(GATEWAY_STATES),
  since: z.number().describe('wall-clock ms since when the state holds'),
  reasons: z.array(
    z.object({
      code: z.enum([...CODES, 'starting', 'stopping', 'no_devices', 'awaiting_first_reading']),
      severity: SeveritySchema,
      message: z.string(),
      device: z.string().optional(),
      subject: z.string().optional(),
      notification: z.string().optional().describe('the notification’s id, when the reason is one'),
    }),
  ),
});

const LevelSchema = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** GET/POST /api/logger. */
export const LogLevelsSchema = z.object({
  configured: LevelSchema.describe('the level every part reverts to'),
  overrides: z.array(
    z.object({
      area: z.string().optional(),
      device: z.string().optional(),
      level: LevelSchema,
      until: z.number().describe('wall-clock ms when it reverts'),
    }),
  ),
  ble: z
    .object({ running: z.boolean(), configured: LevelSchema.optional() })
    .describe('egw-ble (area "ble" in overrides): whether it runs and its configured level'),
});

const mqtt = ConfigSchema.shape.mqtt.unwrap();

/** GET/POST /api/settings: the MQTT password is never shown, only whether one is set. */
export const SettingsViewSchema = z.object({
  harvest: HarvestSettingsSchema,
  ingest: ConfigSchema.shape.ingest.unwrap(),
  mqtt: mqtt.omit({ password: true }).extend({ passwordSet: z.boolean() }),
});

const WifiStateSchema = z.object({
  state: z.string().describe('NetworkManager state of the Wi-Fi interface'),
  ssid: z.string().optional(),
  ipv4: z.string().optional(),
});

/** GET /api/wifi. */
export const WifiViewSchema = z.object({
  status: WifiStateSchema,
  networks: z.array(
    z.object({
      ssid: z.string(),
      signal: z.number().min(0).max(100),
      security: z.string().describe('e.g. "WPA2"; empty for open networks'),
      inUse: z.boolean(),
    }),
  ),
});

/** POST /api/wifi. */
export const WifiConnectedSchema = z.object({ status: WifiStateSchema });

/** POST /api/initialize: the signed wallet binding and its decoded parts. */
export const WalletBindingSchema = z.object({
  jwt: z.string(),
  header: z.object({
    alg: z.enum(['ES256K', 'ES256']),
    typ: z.literal('JWT'),
    device: z.string(),
    opr: z.literal('initialize'),
  }),
  payload: z.object({
    wallet: z.string().describe('lower-cased 0x address'),
    serial: z.string(),
    publicKey: z.string().describe('compressed public key, hex'),
    ts: z.number().describe('ms since epoch'),
  }),
});
