/** Improv's advertising set: its service UUID and service data (state, capabilities) in one advertisement. */
import { buildAdvertisingData, type AdvertisingData } from '../gatt/advertisement.ts';
import {
  IMPROV_SERVICE_DATA_UUID16,
  IMPROV_SERVICE_UUID,
  improvServiceData,
  type ImprovStateValue,
} from './improv-codec.ts';

/** Flags + Improv UUID + service data fill the 31 bytes; the name goes to the scan response. */
export function improvAdvertisingData(name: string, state: ImprovStateValue): AdvertisingData {
  return buildAdvertisingData(name, IMPROV_SERVICE_UUID, {
    uuid16: IMPROV_SERVICE_DATA_UUID16,
    data: improvServiceData(state),
  });
}
