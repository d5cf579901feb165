/**
 * Builds the Modbus servers of a simulator: one TCP server per host:port (devices sharing a port are
 * told apart by unit id) or one RTU server for the whole serial bus.
 */
import type { Clock } from '../../../server/src/core/clock.ts';
import type { Logger } from '../../../server/src/core/logger.ts';
import { ModbusRtuServer } from '../server/modbus-rtu-server.ts';
import { ModbusTcpServer } from '../server/modbus-tcp-server.ts';
import type { SimulatedDevice } from './simulated-device.ts';

/** Devices served on one host:port, and the server once started. */
export interface Endpoint {
  host: string;
  port: number;
  server: ModbusTcpServer;
  devices: SimulatedDevice[];
}

/** An RTU server for every device on one serial bus, told apart by unit id. */
export function newRtuServer(
  serial: { path: string; baudRate?: number },
  devices: SimulatedDevice[],
  clock: Clock,
  logger: Logger,
): ModbusRtuServer {
  const byUnit = (unit: number): SimulatedDevice | undefined => devices.find((d) => d.unit === unit);
  return new ModbusRtuServer({
    path: serial.path,
    baudRate: serial.baudRate,
    clock,
    logger: logger.child({ area: 'modbus-rtu' }),
    imageFor: (unit) => byUnit(unit)?.currentImage(),
    onWrite: (unit, address, values) => byUnit(unit)?.recordWrite(address, values),
    refuseWrite: (unit, address, count) => byUnit(unit)?.refuseWrite(address, count),
    faultsForUnit: (unit) => byUnit(unit)?.faults,
  });
}

/** A TCP server for the devices sharing one host:port. */
export function newTcpServer(
  endpoint: Endpoint,
  clock: Clock,
  logger: Logger,
  solarmanLoggerSerial?: number,
): ModbusTcpServer {
  const byUnit = (unit: number): SimulatedDevice | undefined => {
    const exact = endpoint.devices.find((d) => d.unit === unit);
    // Many TCP devices answer unit 0 or 255 as "whoever is here" when they are alone on the port.
    if (!exact && endpoint.devices.length === 1 && (unit === 0 || unit === 255)) return endpoint.devices[0];
    return exact;
  };
  return new ModbusTcpServer({
    host: endpoint.host,
    port: endpoint.port,
    clock,
    logger: logger.child({ area: 'modbus', port: endpoint.port }),
    imageFor: (unit) => byUnit(unit)?.currentImage(),
    onWrite: (unit, address, values) => byUnit(unit)?.recordWrite(address, values),
    refuseWrite: (unit, address, count) => byUnit(unit)?.refuseWrite(address, count),
    faults: endpoint.devices[0]!.faults,
    faultsForUnit: (unit) => byUnit(unit)?.faults,
    ...(solarmanLoggerSerial !== undefined ? { solarmanLoggerSerial } : {}),
  });
}
