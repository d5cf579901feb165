/**
 * Reading registers of one unit, without knowing about connections: what identification and SunSpec
 * discovery need. A ModbusConnection plus a unit id makes one (unitReader).
 */
import type { ModbusConnection } from '../modbus/modbus-connection.ts';

/** Reads `count` registers (function 3 or 4) at wire address `address` of one unit. */
export type RegisterReader = (
  fc: 3 | 4,
  address: number,
  count: number,
  signal?: AbortSignal,
) => Promise<number[]>;

/** A RegisterReader for `unit` over `connection`. */
export function unitReader(connection: ModbusConnection, unit: number): RegisterReader {
  return (fc, address, count, signal) => connection.readRegisters({ fc, unit, address, count }, signal);
}
