/**
 * A SunSpec device: model chain 1, 120, 103 or 113, 160 (optional) and the end marker at base 40000.
 * Waits for the shared SunSpec image encoder (server/src/profiles/sunspec/).
 */
import { NotAvailable } from '../../../server/src/core/errors.ts';
import type { BuildDeviceContext } from './build-device.ts';
import type { SimulatedDevice } from './simulated-device.ts';

/** Builds a SunSpec device. */
export function sunspecDevice(context: BuildDeviceContext): SimulatedDevice {
  throw new NotAvailable(
    `simulator: profile "${context.spec.profile}" needs the SunSpec image encoder, not yet built`,
    {
      device: context.id,
    },
  );
}
