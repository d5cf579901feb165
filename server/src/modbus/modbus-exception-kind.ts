/**
 * How to treat a Modbus exception response. Every exception is a well-formed reply, so the stream is
 * in step and none of them is a reason to reconnect; they differ in what the caller should do next.
 */

/**
 * - `busy` (05 acknowledge, 06 server busy): the device will answer later; retry after a pause.
 * - `gateway` (0A path unavailable, 0B target failed to respond): a TCP-to-RTU gateway is fine but
 *   the device behind it is not; treat like an offline device.
 * - `address` (02 illegal data address): the profile asks for registers this device does not have;
 *   a profile error (wrong profile, wrong block plan), retrying will not help.
 * - `device` (01, 03, 04, 08 and unknown codes): the device refused or failed the request.
 */
export type ModbusExceptionKind = 'busy' | 'gateway' | 'address' | 'device';

/** The kind of a Modbus exception code (1–11). */
export function modbusExceptionKind(code: number): ModbusExceptionKind {
  if (code === 5 || code === 6) return 'busy';
  if (code === 10 || code === 11) return 'gateway';
  if (code === 2) return 'address';
  return 'device';
}

/** Two-digit hex form of an exception code, as used in statistics ("06", "0b"). */
export function exceptionKey(code: number): string {
  return code.toString(16).padStart(2, '0');
}
