/**
 * SunSpec discovery for a device: find the "SunS" marker, walk the model chain and build a profile
 * from the models the project decodes (profiles/sunspec). Each base is probed on its own, because a
 * device that is not SunSpec often just stays silent at 40000 (a timeout) yet answers elsewhere.
 */
import { ModbusError, NotFoundError, TimeoutError } from '../core/errors.ts';
import { SUNSPEC_BASES, walkSunSpecChain, type SunSpecChain } from '../profiles/sunspec/sunspec-chain.ts';
import { buildSunSpecProfile } from '../profiles/sunspec/sunspec-profile.ts';
import type { Identified } from './identify-profile.ts';
import type { RegisterReader } from './register-reader.ts';

/** Discovers a SunSpec profile on the device behind `read`, or resolves undefined. */
export type SunSpecDiscovery = (
  read: RegisterReader,
  signal?: AbortSignal,
) => Promise<Identified | undefined>;

/** Walks the chain at the first base holding "SunS"; undefined when no base does. */
export async function findSunSpecChain(
  read: RegisterReader,
  signal?: AbortSignal,
): Promise<SunSpecChain | undefined> {
  const holding = (address: number, count: number): Promise<number[]> => read(3, address, count, signal);
  for (const base of SUNSPEC_BASES) {
    try {
      return await walkSunSpecChain(holding, [base]);
    } catch (error) {
      // Not at this base: no marker, an exception, or silence (the connection reconnects after it).
      if (error instanceof NotFoundError || error instanceof TimeoutError || error instanceof ModbusError)
        continue;
      throw error;
    }
  }
  return undefined;
}

/** The default SunSpecDiscovery: chain → profile (ProfileError if the chain has no inverter or meter). */
export const discoverSunSpecProfile: SunSpecDiscovery = async (read, signal) => {
  const chain = await findSunSpecChain(read, signal);
  if (chain === undefined) return undefined;
  const models = chain.models.map((m) => m.id).join(', ');
  return { profile: buildSunSpecProfile(chain), how: `SunSpec chain at ${chain.base} (models ${models})` };
};
