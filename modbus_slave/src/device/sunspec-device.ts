/**
 * A SunSpec device: "SunS" and the model chain 1 (common), 120 (nameplate), 103 or 113 (three-phase
 * inverter, integer + scale factors or float), 160 (MPPT, optional) and the end marker at base 40000,
 * encoded by the shared SunSpec image encoder so scale factors follow the power like real devices.
 */
import { sunspecImage } from '../../../server/src/profiles/sunspec/sunspec-image.ts';
import { Prng } from '../physics/prng.ts';
import type { SimValues } from '../physics/sim-values.ts';
import type { BuildDeviceContext } from './build-device.ts';
import { simulatedSerial } from './build-device.ts';
import { SimulatedDevice } from './simulated-device.ts';

/** Where the simulator puts the chain (the first base a client tries). */
export const SUNSPEC_BASE = 40000;

/** The model ids a SunSpec device serves, in chain order. */
export function sunspecChainOf(inverterModel: 103 | 113 = 103, mppt = true, battery = false): number[] {
  return [
    1,
    120,
    ...(battery ? [124] : []),
    inverterModel,
    ...(mppt ? [160] : []),
    ...(battery ? [802] : []),
  ];
}

/** Builds a SunSpec device. */
export function sunspecDevice(context: BuildDeviceContext): SimulatedDevice {
  const { spec, id, site, faults, sync } = context;
  const battery = spec.sunspecBattery ?? false;
  const models = sunspecChainOf(spec.sunspecInverterModel ?? 103, spec.sunspecMppt ?? true, battery);
  const ratedPowerW = spec.ratedPowerW ?? 10_000;
  const prng = spec.seed === undefined ? undefined : new Prng(spec.seed);
  const wiring = { ratedPowerW, mppts: models.includes(160) ? 2 : 1, phases: 3 };
  const model = battery ? site.addHybrid(wiring, prng) : site.addInverter(wiring, prng);
  const identity: SimValues = { make: 'SunSpec Simulated', model: 'SIM-3P', serial: simulatedSerial(id) };
  return new SimulatedDevice({
    id,
    profileId: spec.profile,
    unit: spec.unit ?? 1,
    model,
    identity,
    imager: (values) => {
      // Without model 160 the MPPT values have nowhere to go; the inverter's DC power still shows.
      const shown: SimValues = { ...values };
      if (!models.includes(160)) {
        for (const key of Object.keys(shown))
          if (/^pv\d_/.test(key)) delete (shown as Record<string, unknown>)[key];
      }
      return sunspecImage(models, shown, SUNSPEC_BASE);
    },
    faults,
    sync,
  });
}
