/**
 * Fleet tooling over balena-sdk: lists a fleet's gateways with their health and sets fleet-wide
 * configuration. Only EGW_* variables the config schema knows are accepted, so a typo cannot roll out
 * to thousands of boxes unnoticed; values are checked by the same schema as on the box.
 */
import { getSdk } from 'balena-sdk';
import { configKeys } from '../config/config-keys.ts';
import { ValidationError } from '../core/errors.ts';

/** balena's public API; overridable for self-hosted openBalena. */
export const DEFAULT_BALENA_API_URL = 'https://api.balena-cloud.com';

/** Device tag a gateway's serial is recorded under. */
export const SERIAL_TAG = 'egw.serial';

/** One gateway of a fleet as `egw fleet list` shows it. */
export interface FleetDevice {
  uuid: string;
  name: string;
  online: boolean;
  /** ISO time of the last connectivity change, when known. */
  lastSeen?: string;
  /** The gateway serial (from the device tag), when the box has reported it. */
  serial?: string;
  release?: string;
}

interface DeviceRow {
  uuid: string;
  device_name: string;
  is_online: boolean;
  last_connectivity_event?: string | null;
  device_tag?: { tag_key: string; value: string }[];
  is_running__release?: { commit: string }[] | { __id: number } | null;
}

/** A connection to one balena API with an API key. */
export class FleetClient {
  private readonly apiKey: string;
  private readonly sdk: ReturnType<typeof getSdk>;

  constructor(apiKey: string, apiUrl = DEFAULT_BALENA_API_URL) {
    this.apiKey = apiKey;
    this.sdk = getSdk({ apiUrl, dataDirectory: false });
  }

  private async login(): Promise<void> {
    await this.sdk.auth.loginWithToken(this.apiKey);
  }

  /** Gateways of a fleet ("org/fleet" slug), ordered by name. */
  async list(fleet: string): Promise<FleetDevice[]> {
    await this.login();
    const rows = (await this.sdk.models.device.getAllByApplication(fleet, {
      $select: ['uuid', 'device_name', 'is_online', 'last_connectivity_event'],
      $expand: {
        device_tag: { $select: ['tag_key', 'value'] },
        is_running__release: { $select: ['commit'] },
      },
    })) as unknown as DeviceRow[];
    return rows.map(toFleetDevice);
  }

  /** Sets fleet-wide environment variables after checking each against the config schema. */
  async setEnv(fleet: string, assignments: Record<string, string>): Promise<void> {
    for (const [key, value] of Object.entries(assignments)) checkAssignment(key, value);
    await this.login();
    for (const [key, value] of Object.entries(assignments)) {
      await this.sdk.models.application.envVar.set(fleet, key, value);
    }
  }
}

function toFleetDevice(row: DeviceRow): FleetDevice {
  const release = Array.isArray(row.is_running__release) ? row.is_running__release[0]?.commit : undefined;
  const serial = row.device_tag?.find((tag) => tag.tag_key === SERIAL_TAG)?.value;
  return {
    uuid: row.uuid,
    name: row.device_name,
    online: row.is_online,
    ...(row.last_connectivity_event ? { lastSeen: row.last_connectivity_event } : {}),
    ...(serial ? { serial } : {}),
    ...(release ? { release: release.slice(0, 7) } : {}),
  };
}

/** Throws a ValidationError naming the variable when it is unknown or its value breaks the schema. */
export function checkAssignment(envVar: string, value: string): void {
  const key = configKeys().find((k) => k.envVar === envVar);
  if (!key) {
    throw new ValidationError(
      `${envVar}: not a configuration variable (see egw's configuration reference)`,
      envVar,
    );
  }
  const parsed = key.kind === 'number' ? Number(value) : key.kind === 'boolean' ? value === 'true' : value;
  if (key.kind === 'boolean' && value !== 'true' && value !== 'false') {
    throw new ValidationError(`${envVar}: expected true or false, got "${value}"`, envVar);
  }
  if (key.kind === 'json') {
    try {
      JSON.parse(value);
    } catch {
      throw new ValidationError(`${envVar}: expected JSON, got "${value}"`, envVar);
    }
    return;
  }
  const problem = key.check(parsed);
  if (problem !== undefined) {
    throw new ValidationError(`${envVar} (${key.path}): ${key.expected ?? problem}, got "${value}"`, envVar);
  }
}
