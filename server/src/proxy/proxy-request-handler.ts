/**
 * What the Modbus proxy answers to one request PDU of another client: reads of ranges the gateway
 * polls come from the latest poll when it is younger than the tolerance, other reads go to the
 * device's one connection at low priority, writes only to allow-listed registers, anything else is
 * refused with exception 01 (illegal function). Socket-free, so it is tested with byte strings.
 */
import { ModbusError } from '../core/errors.ts';

/** Exception codes the proxy answers with. */
export const PROXY_EXCEPTION = {
  illegalFunction: 0x01,
  illegalDataValue: 0x03,
  gatewayTargetFailed: 0x0b,
} as const;

/** How one request ended, for the counters. */
export type ProxyOutcome = 'cached' | 'forwarded' | 'refused' | 'failed';

/** The device side the handler needs (a ModbusConnection and its cache, in production). */
export interface ProxyBackend {
  /** Latest polled registers covering the range, if younger than maxAgeMs. */
  cached(fc: 3 | 4, address: number, count: number, maxAgeMs: number): number[] | undefined;
  /** Reads through the device's connection at low priority. */
  read(fc: 3 | 4, address: number, count: number): Promise<number[]>;
  /** Writes through the device's connection at low priority. */
  write(fc: 6 | 16, address: number, values: number[]): Promise<void>;
}

export interface ProxyPolicy {
  /** Oldest poll a read may be answered from, ms. */
  toleranceMs: number;
  /** Registers other clients may write. */
  writable: ReadonlySet<number>;
}

/** The answer PDU and how the request ended. */
export interface ProxyAnswer {
  pdu: Buffer;
  outcome: ProxyOutcome;
}

export function exceptionPdu(fc: number, code: number): Buffer {
  return Buffer.from([(fc | 0x80) & 0xff, code & 0xff]);
}

function registersPdu(fc: number, values: readonly number[]): Buffer {
  const out = Buffer.alloc(2 + values.length * 2);
  out[0] = fc;
  out[1] = values.length * 2;
  values.forEach((v, i) => out.writeUInt16BE(v & 0xffff, 2 + i * 2));
  return out;
}

/** Answers one request PDU. Never throws: device failures become exception answers. */
export async function handleProxyRequest(
  pdu: Buffer,
  backend: ProxyBackend,
  policy: ProxyPolicy,
): Promise<ProxyAnswer> {
  const fc = pdu[0] ?? 0;
  const refuse = (code: number = PROXY_EXCEPTION.illegalFunction): ProxyAnswer => ({
    pdu: exceptionPdu(fc, code),
    outcome: 'refused',
  });
  try {
    if ((fc === 3 || fc === 4) && pdu.length === 5) {
      const address = pdu.readUInt16BE(1);
      const count = pdu.readUInt16BE(3);
      if (count < 1 || count > 125 || address + count > 0x10000)
        return refuse(PROXY_EXCEPTION.illegalDataValue);
      const hit = backend.cached(fc, address, count, policy.toleranceMs);
      if (hit) return { pdu: registersPdu(fc, hit), outcome: 'cached' };
      return { pdu: registersPdu(fc, await backend.read(fc, address, count)), outcome: 'forwarded' };
    }
    if (fc === 6 && pdu.length === 5) {
      const address = pdu.readUInt16BE(1);
      if (!policy.writable.has(address)) return refuse();
      await backend.write(6, address, [pdu.readUInt16BE(3)]);
      return { pdu: Buffer.from(pdu), outcome: 'forwarded' };
    }
    if (fc === 16 && pdu.length >= 6) {
      const address = pdu.readUInt16BE(1);
      const count = pdu.readUInt16BE(3);
      if (count < 1 || count > 123 || pdu[5] !== count * 2 || pdu.length !== 6 + count * 2)
        return refuse(PROXY_EXCEPTION.illegalDataValue);
      for (let a = address; a < address + count; a++) if (!policy.writable.has(a)) return refuse();
      const values = Array.from({ length: count }, (_, i) => pdu.readUInt16BE(6 + i * 2));
      await backend.write(16, address, values);
      return { pdu: Buffer.from(pdu.subarray(0, 5)), outcome: 'forwarded' };
    }
    return refuse();
  } catch (error) {
    // The device's own exception is passed on; anything else means it did not answer (0B).
    const code = error instanceof ModbusError ? error.exceptionCode : PROXY_EXCEPTION.gatewayTargetFailed;
    return { pdu: exceptionPdu(fc, code), outcome: 'failed' };
  }
}
