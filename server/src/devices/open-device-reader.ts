/**
 * The reader of any configured device: Modbus (TCP, RTU, Solarman V5) through createDeviceReader, a
 * P1 port or a HomeWizard P1 meter through theirs — each loaded only when a device uses it.
 */
import type { DeviceConfig } from '../config/schema.ts';
import { createDeviceReader, type DeviceReaderDeps } from './create-device-reader.ts';
import type { DeviceReader } from './device-reader.ts';

/** Opens the reader of a device (connects lazily on the first read). */
export async function openDeviceReader(config: DeviceConfig, deps: DeviceReaderDeps): Promise<DeviceReader> {
  if (config.type === 'p1') {
    const { P1SerialReader } = await import('./p1/p1-serial-reader.ts');
    return new P1SerialReader({
      id: config.id,
      path: config.path,
      baud: config.baud,
      clock: deps.clock,
      logger: deps.logger.child({ area: 'p1', device: config.id }),
    });
  }
  if (config.type === 'homewizard') {
    const { HomeWizardReader } = await import('./p1/homewizard-reader.ts');
    return new HomeWizardReader({ id: config.id, host: config.host, port: config.port, clock: deps.clock });
  }
  return createDeviceReader(config, deps);
}
