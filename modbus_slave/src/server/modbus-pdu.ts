/**
 * Pure Modbus PDU handling shared by the TCP and RTU servers: function 3/4 reads, 6/16 writes,
 * exception responses. A PDU is the function code and its data, without MBAP header or CRC.
 */
import { tableFor, type RegisterImage } from './register-image.ts';

/** Exception codes the simulator answers with. */
export const EXCEPTION = {
  illegalFunction: 0x01,
  illegalDataAddress: 0x02,
  illegalDataValue: 0x03,
  serverDeviceFailure: 0x04,
  serverDeviceBusy: 0x06,
  gatewayTargetFailed: 0x0b,
} as const;

/** An exception response PDU: function code with the high bit set, then the code. */
export function exceptionPdu(functionCode: number, exceptionCode: number): Buffer {
  return Buffer.from([(functionCode | 0x80) & 0xff, exceptionCode & 0xff]);
}

/** What a request asks for, for fault decisions and logs. */
export interface PduSummary {
  functionCode: number;
  address?: number;
  count?: number;
}

/** Reads function code, start address and count (when present) from a request PDU. */
export function summarizePdu(pdu: Buffer): PduSummary {
  const functionCode = pdu[0] ?? 0;
  if (pdu.length < 5) return { functionCode };
  const count = functionCode === 6 ? 1 : pdu.readUInt16BE(3);
  return { functionCode, address: pdu.readUInt16BE(1), count };
}

/** Receives writes so a device can keep them (they last until a reboot). */
export type WriteSink = (address: number, values: number[]) => void;

/** The exception a device answers a write with (registers it treats as read-only), or undefined to accept. */
export type WriteGuard = (address: number, count: number) => number | undefined;

function readRegisters(image: RegisterImage, pdu: Buffer): Buffer {
  const functionCode = pdu[0]!;
  if (pdu.length !== 5) return exceptionPdu(functionCode, EXCEPTION.illegalDataValue);
  const start = pdu.readUInt16BE(1);
  const count = pdu.readUInt16BE(3);
  if (count < 1 || count > 125) return exceptionPdu(functionCode, EXCEPTION.illegalDataValue);
  const table = tableFor(image, functionCode);
  const out = Buffer.alloc(2 + count * 2);
  out[0] = functionCode;
  out[1] = count * 2;
  for (let i = 0; i < count; i++) {
    const value = table.get(start + i);
    if (value === undefined) return exceptionPdu(functionCode, EXCEPTION.illegalDataAddress);
    out.writeUInt16BE(value & 0xffff, 2 + i * 2);
  }
  return out;
}

function writeRegisters(image: RegisterImage, pdu: Buffer, sink?: WriteSink, guard?: WriteGuard): Buffer {
  const functionCode = pdu[0]!;
  let start: number;
  let values: number[];
  if (functionCode === 6) {
    if (pdu.length !== 5) return exceptionPdu(functionCode, EXCEPTION.illegalDataValue);
    start = pdu.readUInt16BE(1);
    values = [pdu.readUInt16BE(3)];
  } else {
    if (pdu.length < 6) return exceptionPdu(functionCode, EXCEPTION.illegalDataValue);
    start = pdu.readUInt16BE(1);
    const count = pdu.readUInt16BE(3);
    const byteCount = pdu[5]!;
    if (count < 1 || count > 123 || byteCount !== count * 2 || pdu.length !== 6 + byteCount) {
      return exceptionPdu(functionCode, EXCEPTION.illegalDataValue);
    }
    values = Array.from({ length: count }, (_, i) => pdu.readUInt16BE(6 + i * 2));
  }
  // Only registers the device has can be written; a real device rejects the rest.
  for (let i = 0; i < values.length; i++) {
    if (!image.holding.has(start + i)) return exceptionPdu(functionCode, EXCEPTION.illegalDataAddress);
  }
  // Measurements and identity are read-only on a device: it refuses with its own exception code.
  const refusal = guard?.(start, values.length);
  if (refusal !== undefined) return exceptionPdu(functionCode, refusal);
  values.forEach((value, i) => image.holding.set(start + i, value));
  sink?.(start, values);
  return functionCode === 6 ? Buffer.from(pdu) : pdu.subarray(0, 5);
}

/** Answers one request PDU from a register image; unknown functions get exception 01. */
export function handlePdu(image: RegisterImage, pdu: Buffer, sink?: WriteSink, guard?: WriteGuard): Buffer {
  const functionCode = pdu[0];
  if (functionCode === undefined) return exceptionPdu(0, EXCEPTION.illegalFunction);
  switch (functionCode) {
    case 3:
    case 4:
      return readRegisters(image, pdu);
    case 6:
    case 16:
      return writeRegisters(image, pdu, sink, guard);
    default:
      return exceptionPdu(functionCode, EXCEPTION.illegalFunction);
  }
}
