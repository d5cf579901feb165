/**
 * One line about a profile for `egw profiles`: what it reads (kind, battery, grid meter), where the
 * device answers by default (unit, port) and whether `--profile auto` can recognise it.
 */
import type { Profile } from './profile-schema.ts';
import type { ProfileRegistry } from './profile-registry.ts';

/** A profile as `egw profiles` lists it. */
export interface ProfileSummary {
  id: string;
  kind: string;
  make: string;
  /** Default Modbus unit id and TCP port (used when a device names none). */
  unit: number;
  port: number;
  /** Reads battery fields (state of charge, power, …). */
  battery: boolean;
  /** Reads grid meter fields (grid power or import/export energy). */
  meter: boolean;
  /** Has an identify rule (SunSpec: its marker), so `--profile auto` and `egw scan` can find it. */
  identify: boolean;
  products: string[];
}

const BATTERY_FIELD = /^(battery_|energy_battery_)/;
const METER_FIELDS = new Set(['grid_power_w', 'energy_import_wh', 'energy_export_wh']);

function fieldsOf(profile: Profile): string[] {
  return [...Object.keys(profile.points), ...Object.keys(profile.computed)];
}

/** The summary of one loaded profile. */
export function summarizeProfile(profile: Profile): ProfileSummary {
  const fields = fieldsOf(profile);
  return {
    id: profile.id,
    kind: profile.kind,
    make: profile.make,
    unit: profile.transport.unit,
    port: profile.transport.port,
    battery: fields.some((f) => BATTERY_FIELD.test(f)),
    meter: profile.kind === 'meter' || fields.some((f) => METER_FIELDS.has(f)),
    identify: profile.identify !== undefined,
    products: profile.products,
  };
}

/** Every profile a device may name, sorted by id; `sunspec` reads what the device's models hold. */
export function summarizeProfiles(registry: ProfileRegistry): ProfileSummary[] {
  return registry.ids().map((id) =>
    registry.isDiscovered(id)
      ? {
          id,
          kind: 'any',
          make: 'SunSpec (SMA, Fronius, SolarEdge, Kostal, …)',
          unit: 1,
          port: 502,
          battery: true,
          meter: true,
          identify: true,
          products: ['models 1, 101–103, 111–113, 120, 124, 160, 201–204, 802'],
        }
      : summarizeProfile(registry.get(id)),
  );
}
