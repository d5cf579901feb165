/**
 * Builds one simulated device from its spec: the profile (or the SunSpec model chain), a physics
 * model on the shared site, identity values, and the imager that serves them.
 */
import { ConfigError, describeError } from '../../../server/src/core/errors.ts';
import type { ProfileRegistry } from '../../../server/src/profiles/profile-registry.ts';
import type { FaultController } from '../faults/fault-controller.ts';
import { wireAddress } from '../../../server/src/profiles/register-codec.ts';
import { Prng } from '../physics/prng.ts';
import type { Site } from '../physics/site.ts';
import type { RegisterCapture } from '../../../server/src/profiles/register-capture.ts';
import { emptyImage, tableFor } from '../server/register-image.ts';
import type { SimDeviceSpec } from '../simulator.ts';
import { identityFor, profileImager, profileShape } from './profile-imager.ts';
import { SimulatedDevice } from './simulated-device.ts';
import { sunspecDevice } from './sunspec-device.ts';

/** What buildDevice needs besides the spec. */
export interface BuildDeviceContext {
  spec: SimDeviceSpec;
  id: string;
  registry: ProfileRegistry;
  site: Site;
  faults: FaultController;
  sync(): number;
}

/** A serial number that is stable for a device id (so restarts look like the same device). */
export function simulatedSerial(id: string): string {
  let hash = 2166136261;
  for (const char of id) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
  return `SIM${hash.toString().padStart(10, '0')}`;
}

/**
 * A device that serves a capture's raw blocks exactly (`egw-sim --replay`): the registers a user's
 * device sent, at its unit, so the gateway decodes the same reading. Writes are refused (02).
 */
function replayDevice(context: BuildDeviceContext, capture: RegisterCapture): SimulatedDevice {
  const image = emptyImage();
  for (const block of capture.blocks) {
    const table = tableFor(image, block.function);
    block.registers.forEach((value, i) => table.set(block.start + i, value));
  }
  return new SimulatedDevice({
    id: context.id,
    profileId: capture.profile,
    unit: context.spec.unit ?? capture.unit,
    // The site's meter stands in for the model; its values are not served.
    model: context.site.addMeter({ phases: 3 }),
    identity: {},
    imager: () => ({ holding: new Map(image.holding), input: new Map(image.input) }),
    faults: context.faults,
    sync: context.sync,
    writable: [],
  });
}

/** Builds the device; throws a ConfigError for an unknown profile or registers it cannot encode. */
export function buildDevice(context: BuildDeviceContext): SimulatedDevice {
  const device = buildModel(context);
  try {
    // Encode once now so a profile the encoder cannot serve fails at start, naming the device.
    device.currentImage();
  } catch (error) {
    throw new ConfigError(
      `simulator: device "${device.id}" (${device.profileId}): cannot encode its registers: ${describeError(error)}`,
      'profile',
      error,
    );
  }
  return device;
}

function buildModel(context: BuildDeviceContext): SimulatedDevice {
  const { spec, id, registry, site, faults, sync } = context;
  if (spec.replay) return replayDevice(context, spec.replay);
  if (!registry.has(spec.profile)) {
    throw new ConfigError(
      `simulator: unknown profile "${spec.profile}"; known: ${registry.ids().join(', ')}`,
      'profile',
    );
  }
  if (registry.isDiscovered(spec.profile)) return sunspecDevice(context);
  const profile = registry.get(spec.profile);
  const shape = profileShape(profile);
  const ratedPowerW = spec.ratedPowerW ?? shape.ratedPowerW ?? (shape.phases === 3 ? 10_000 : 5_000);
  // A seed of its own (spec.seed) makes a device's values independent of the other devices.
  const prng = spec.seed === undefined ? undefined : new Prng(spec.seed);
  const model =
    shape.kind === 'meter'
      ? site.addMeter({ phases: shape.phases }, prng)
      : shape.battery
        ? site.addHybrid({ ratedPowerW, mppts: shape.mppts, phases: shape.phases }, prng)
        : site.addInverter({ ratedPowerW, mppts: shape.mppts, phases: shape.phases }, prng);
  const identity = identityFor(
    profile,
    simulatedSerial(id),
    profile.products[0] ?? `${profile.make} simulated`,
  );
  return new SimulatedDevice({
    id,
    profileId: profile.id,
    unit: spec.unit ?? profile.transport.unit,
    model,
    identity,
    imager: profileImager(profile),
    writable: profile.writable.map((range) => ({
      start: wireAddress(profile, range.start),
      count: range.count,
    })),
    readOnlyException: profile.readOnlyException,
    faults,
    sync,
  });
}
