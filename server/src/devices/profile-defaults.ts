/**
 * A device's unit id and TCP port when its config leaves them out: its profile's transport defaults
 * (SMA answers at unit 3, GoodWe at 247, SolarEdge on port 1502), else Modbus' usual 1 and 502.
 * Without this an SMA added with just a host is asked at unit 1 and answers exception 0x0B.
 */
import type { DeviceConfig, ParsedDeviceConfig } from '../config/schema.ts';
import type { ProfileRegistry } from '../profiles/profile-registry.ts';

/** Modbus' own defaults, for "sunspec", "auto" and ids no profile has (the reader names those). */
export const MODBUS_DEFAULTS = { unit: 1, port: 502 } as const;

/** The unit and port a profile id implies. */
export function transportDefaults(
  profileId: string,
  profiles: ProfileRegistry | undefined,
): { unit: number; port: number } {
  if (profiles === undefined || profiles.isDiscovered(profileId) || !profiles.has(profileId))
    return MODBUS_DEFAULTS;
  const { unit, port } = profiles.get(profileId).transport;
  return { unit, port };
}

/** `config` with every absent unit and TCP port taken from its profile; given values are kept. */
export function withProfileDefaults(
  config: ParsedDeviceConfig,
  profiles: ProfileRegistry | undefined,
): DeviceConfig {
  switch (config.type) {
    case 'tcp': {
      const defaults = transportDefaults(config.profile, profiles);
      return { ...config, port: config.port ?? defaults.port, unit: config.unit ?? defaults.unit };
    }
    case 'rtu':
    case 'solarmanv5':
      return { ...config, unit: config.unit ?? transportDefaults(config.profile, profiles).unit };
    default:
      return config;
  }
}
