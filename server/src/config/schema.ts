/**
 * The one configuration schema: defaults, the config file, EGW_* environment variables (EGW_<PATH>,
 * e.g. http.port → EGW_HTTP_PORT), settings changed through the API, and the generated reference.
 */
import { z } from 'zod';
import { DEVICE_ID, DEVICE_ID_RULE } from './device-id.ts';

const port = z.number().int().min(1).max(65535);
const unitId = z.number().int().min(0).max(255);
/** Unit and port left out take the profile's transport defaults (devices/profile-defaults.ts). */
const UNIT_DEFAULT = "Modbus unit id (default: the profile's, e.g. 3 for sma, 247 for goodwe; else 1)";
/**
 * URLs are checked for the scheme their client speaks, here rather than when the uplink is built: a
 * value the schema lets through is stored (settings API) and must not stop the next start.
 */
const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' });
const mqttUrl = z.url({
  protocol: /^(mqtts?|wss?|tcp|ssl)$/,
  error: 'expected an mqtt://, mqtts://, ws://, wss://, tcp:// or ssl:// URL',
});

/** The Modbus TCP proxy of one device: other clients read it through the gateway. */
const proxyFields = {
  proxyPort: port
    .optional()
    .describe('serve this device to other Modbus TCP clients on this port (same unit id); off when absent'),
  proxyHost: z
    .string()
    .min(1)
    .optional()
    .describe('address the proxy listens on (default 127.0.0.1); a LAN address (or 0.0.0.0) only when set'),
  proxyToleranceMs: z
    .number()
    .int()
    .min(0)
    .max(3_600_000)
    .optional()
    .describe('answer proxied reads from a poll at most this old, ms (default: one harvest period)'),
  proxyWritable: z
    .array(z.number().int().min(0).max(65535))
    .optional()
    .describe(
      'registers proxy clients may write (FC 6/16, default none); every other write gets exception 01',
    ),
};

export const TcpDeviceSchema = z.object({
  id: z.string().regex(DEVICE_ID).describe(`device id: ${DEVICE_ID_RULE}`),
  type: z.literal('tcp'),
  host: z.string().min(1).max(253).describe('inverter or meter host name or IP address'),
  port: port
    .optional()
    .describe("Modbus TCP port (default: the profile's, e.g. 1502 for solaredge; else 502)"),
  unit: unitId.optional().describe(UNIT_DEFAULT),
  profile: z.string().min(1).describe('profile id (e.g. "sunspec", "huawei") or "auto"'),
  /** Close the connection between polls (devices that accept a single client). */
  closeBetweenPolls: z.boolean().default(false).describe('close the TCP connection between polls'),
  ...proxyFields,
});

export const RtuDeviceSchema = z.object({
  id: TcpDeviceSchema.shape.id,
  type: z.literal('rtu'),
  path: z.string().min(1).describe('serial device path, e.g. /dev/ttyUSB0'),
  baud: z.number().int().min(1200).max(921600).default(9600).describe('baud rate'),
  parity: z.enum(['none', 'even', 'odd']).default('none'),
  unit: unitId.optional().describe(UNIT_DEFAULT),
  profile: z.string().min(1).describe('profile id'),
  ...proxyFields,
});

export const SolarmanDeviceSchema = z.object({
  id: TcpDeviceSchema.shape.id,
  type: z.literal('solarmanv5'),
  host: z.string().min(1).max(253).describe('Solarman logger stick host name or IP address'),
  port: port.default(8899).describe('Solarman V5 TCP port'),
  loggerSerial: z
    .number()
    .int()
    .min(1)
    .max(0xffffffff)
    .describe('serial number of the Solarman logger stick (on its label), e.g. 2712345678'),
  unit: unitId
    .optional()
    .describe("Modbus unit id of the inverter behind the logger (default: the profile's, else 1)"),
  profile: z.string().min(1).describe('profile id'),
  ...proxyFields,
});

export const P1DeviceSchema = z.object({
  id: TcpDeviceSchema.shape.id,
  type: z.literal('p1'),
  path: z.string().min(1).describe('serial device of the P1 cable, e.g. /dev/ttyUSB0'),
  baud: z
    .number()
    .int()
    .min(1200)
    .max(921600)
    .default(115200)
    .describe('P1 baud rate: 115200 (DSMR 4/5, ESMR 5; 8N1)'),
  profile: z.string().default('dsmr').describe('"dsmr": the telegram decoder'),
});

export const HomeWizardDeviceSchema = z.object({
  id: TcpDeviceSchema.shape.id,
  type: z.literal('homewizard'),
  host: z.string().min(1).max(253).describe('HomeWizard P1 meter host name or IP address'),
  port: port.default(80).describe('HomeWizard local API port'),
  profile: z.string().default('homewizard').describe('"homewizard": the local API v1'),
});

export const DeviceConfigSchema = z.discriminatedUnion('type', [
  TcpDeviceSchema,
  RtuDeviceSchema,
  SolarmanDeviceSchema,
  P1DeviceSchema,
  HomeWizardDeviceSchema,
]);
/** A device as configured: unit and port may be absent (the profile's defaults apply). */
export type ParsedDeviceConfig = z.infer<typeof DeviceConfigSchema>;
/** Unit (and TCP port) required: what a device config is once its profile's defaults filled the gaps. */
type WithTransport<D> = D extends { type: 'tcp' }
  ? D & { port: number; unit: number }
  : D extends { type: 'rtu' | 'solarmanv5' }
    ? D & { unit: number }
    : D;
/** A device config with its unit and port settled (withProfileDefaults): what readers and the API use. */
export type DeviceConfig = WithTransport<ParsedDeviceConfig>;
/** The devices read over Modbus (TCP, RTU or through a Solarman logger): those with a unit id and a proxy. */
export type ModbusDeviceConfig = Extract<DeviceConfig, { type: 'tcp' | 'rtu' | 'solarmanv5' }>;

/** Two devices with one id would share tasks, readings and topics: name the id and both places. */
function refuseDuplicateIds(devices: readonly { id: string }[], ctx: z.RefinementCtx): void {
  const first = new Map<string, number>();
  devices.forEach((device, i) => {
    const earlier = first.get(device.id);
    if (earlier === undefined) return void first.set(device.id, i);
    ctx.addIssue({
      code: 'custom',
      path: [i, 'id'],
      message: `device id "${device.id}" is used twice (devices[${earlier}] and devices[${i}]); ids must be unique`,
    });
  });
}

/** Whether a device is read over Modbus. */
export function isModbusDevice(config: DeviceConfig): config is ModbusDeviceConfig {
  return config.type === 'tcp' || config.type === 'rtu' || config.type === 'solarmanv5';
}

export const HarvestSettingsSchema = z.object({
  intervalMs: z.number().int().min(100).max(3_600_000).default(1000).describe('harvest period, ms'),
  frequencyHz: z.number().min(0).max(50).default(10).describe('grid frequency sampling rate, Hz (0 = off)'),
  batchSize: z.number().int().min(1).max(3600).default(10).describe('harvests per signed batch'),
  batchMaxAgeMs: z
    .number()
    .int()
    .min(1000)
    .max(86_400_000)
    .default(60_000)
    .describe('seal a batch after this long even if not full, ms'),
});

export const ConfigSchema = z.object({
  dataDir: z.string().default('./.egw').describe('data directory: egw.db, device key, API token'),
  profilesDir: z.string().optional().describe('directory of extra profile files (YAML or JSON)'),
  log: z
    .object({
      level: z
        .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
        .default('info')
        .describe('log level'),
      pretty: z.boolean().optional().describe('human-readable logs (default: when stdout is a TTY)'),
    })
    .prefault({}),
  http: z
    .object({
      host: z.string().default('0.0.0.0').describe('address the web API listens on'),
      port: z.number().int().min(0).max(65535).default(5000).describe('web API port (0 = any free port)'),
      bodyLimitBytes: z
        .number()
        .int()
        .min(1024)
        .max(10_485_760)
        .default(65_536)
        .describe('largest accepted request body'),
      corsOrigins: z.array(z.string()).default([]).describe('origins allowed by CORS (default: none)'),
      // Load shedding (server/src/api/load-shedder.ts): heavy reads get 503 while ≥ 10 % of the
      // sampling runs in the window start late AND the API is busy.
      shedding: z
        .object({
          lagMs: z
            .number()
            .min(0)
            .max(10_000)
            .default(20)
            .describe('a sampling run starting this much later than due counts as late, ms (0 = never shed)'),
          windowMs: z
            .number()
            .int()
            .min(100)
            .max(60_000)
            .default(2000)
            .describe('window over which late sampling runs and the API request rate are counted, ms'),
          minRequestsPerS: z
            .number()
            .min(0)
            .max(1_000_000)
            .default(50)
            .describe('API request rate from which the API counts as busy and may shed, per second'),
        })
        .prefault({}),
    })
    .prefault({}),
  devices: z
    .array(DeviceConfigSchema)
    .superRefine(refuseDuplicateIds)
    .default([])
    .describe('inverters and meters to read'),
  harvest: HarvestSettingsSchema.prefault({}),
  outbox: z
    .object({
      maxBatches: z
        .number()
        .int()
        .min(10)
        .max(10_000_000)
        .default(100_000)
        .describe('outbox bound; oldest batches are dropped (and counted) beyond it'),
    })
    .prefault({}),
  ingest: z
    .object({
      url: httpUrl
        .optional()
        .describe('HTTP ingest endpoint (http: or https:); batches are POSTed here when set'),
      timeoutMs: z
        .number()
        .int()
        .min(100)
        .max(120_000)
        .default(10_000)
        .describe('HTTP ingest request timeout, ms'),
    })
    .prefault({}),
  mqtt: z
    .object({
      url: mqttUrl
        .optional()
        .describe(
          'MQTT broker URL (mqtt:, mqtts:, ws:, wss:), e.g. mqtt://127.0.0.1:1883; enables the MQTT uplink',
        ),
      username: z.string().optional().describe('MQTT user name'),
      password: z.string().optional().describe('MQTT password (never logged)'),
      prefix: z.string().optional().describe('topic prefix (default egw/<serial>)'),
      homeAssistant: z.boolean().default(false).describe('publish Home Assistant MQTT discovery'),
      discoveryPrefix: z.string().default('homeassistant').describe('Home Assistant discovery topic prefix'),
      staleAfterMs: z
        .number()
        .int()
        .min(1000)
        .max(86_400_000)
        .optional()
        .describe(
          'a device without a new reading for this long is published offline (also HA expire_after), ms (default: 3 harvest periods, at least 3 s)',
        ),
    })
    .prefault({}),
  notifications: z
    .object({
      checkIntervalMs: z
        .number()
        .int()
        .min(1000)
        .max(3_600_000)
        .default(10_000)
        .describe('how often the outbox, the disk, the clock and the BLE service are checked, ms'),
      historySize: z
        .number()
        .int()
        .min(0)
        .max(1000)
        .default(50)
        .describe('recently cleared notifications kept for GET /api/notifications'),
      clockSyncedFile: z
        .string()
        .min(1)
        .optional()
        .describe(
          'file whose presence means NTP synchronised, e.g. /run/systemd/timesync/synchronized (default: only a wall clock before 2025 counts as not synchronised)',
        ),
    })
    .prefault({}),
  mdns: z
    .object({
      enabled: z
        .boolean()
        .default(false)
        .describe('advertise the gateway over mDNS / DNS-SD as _egw._tcp and _http._tcp'),
      name: z.string().min(1).max(63).optional().describe('service instance name (default "egw <serial>")'),
    })
    .prefault({}),
  signing: z
    .object({
      backend: z
        .enum(['file', 'pkcs11'])
        .default('file')
        .describe(
          '"file": secp256k1 device.key in the data directory (ES256K); "pkcs11": a P-256 key on a PKCS#11 token that never leaves it (ES256)',
        ),
      pkcs11: z
        .object({
          module: z.string().min(1).describe('PKCS#11 module path, e.g. /usr/lib/softhsm/libsofthsm2.so'),
          tokenLabel: z.string().min(1).describe('label of the token holding the key'),
          pinFile: z.string().min(1).describe('file holding the user PIN (mode 0600)'),
          keyLabel: z
            .string()
            .min(1)
            .default('egw-device')
            .describe('label of the key pair (created on the token if missing)'),
        })
        .optional()
        .describe('the token, for signing.backend "pkcs11"'),
    })
    .prefault({}),
  control: z
    .object({
      publicKeys: z
        .array(
          z
            .string()
            .regex(/^0[23][0-9a-fA-F]{64}$/, 'expected a compressed secp256k1 public key (66 hex digits)'),
        )
        .max(16)
        .default([])
        .describe(
          'backend public keys (compressed secp256k1 hex) whose ES256K-signed requests the cloud control channel accepts over MQTT (none = channel off; needs mqtt.url)',
        ),
      allow: z
        .array(
          z
            .string()
            .regex(
              /^(GET|POST|DELETE) \/api\/\S*$/,
              'expected "METHOD /api/path", e.g. "POST /api/settings"',
            ),
        )
        .max(200)
        .optional()
        .describe(
          'routes the control channel may run, "METHOD /api/path" as the API lists them (default: every read but /api/events, POST /api/settings, POST /api/devices, DELETE /api/devices/:id, POST /api/logger, POST /api/notifications/:id/ack); never /api/initialize, /api/wifi or /api/events',
        ),
    })
    .prefault({}),
  backend: z
    .object({
      graphqlUrl: httpUrl.optional().describe('backend GraphQL endpoint asked for the gateway name'),
    })
    .prefault({}),
});

export type Config = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;
