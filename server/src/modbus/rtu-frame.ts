/**
 * Modbus RTU frames as bytes: CRC-16/MODBUS, building a frame, and checking a reply frame — shared by
 * the transports that carry RTU inside something else (Solarman V5) and by the simulator.
 */

/** CRC-16/MODBUS (poly 0xA001 reflected, init 0xFFFF), sent low byte first. */
export function crc16(bytes: Uint8Array): number {
  // Written out here because modbus-serial's CRC lives in an internal, untyped file.
  let crc = 0xffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

/** One RTU frame: unit address and PDU. */
export interface RtuFrame {
  unit: number;
  pdu: Buffer;
}

/** Builds a frame's bytes: address, PDU, CRC. */
export function encodeRtu(frame: RtuFrame): Buffer {
  const out = Buffer.alloc(frame.pdu.length + 3);
  out[0] = frame.unit & 0xff;
  frame.pdu.copy(out, 1);
  out.writeUInt16LE(crc16(out.subarray(0, out.length - 2)), out.length - 2);
  return out;
}

/**
 * A whole RTU frame's unit and PDU, or why it is not one (too short, bad CRC). Some loggers (Deye and
 * others behind Solarman sticks) append a second, zero CRC: two trailing zero bytes after a valid
 * frame are accepted.
 */
export function decodeRtu(bytes: Buffer): RtuFrame | { error: string } {
  const check = (frame: Buffer): RtuFrame | undefined =>
    frame.length >= 4 && crc16(frame.subarray(0, frame.length - 2)) === frame.readUInt16LE(frame.length - 2)
      ? { unit: frame[0]!, pdu: Buffer.from(frame.subarray(1, frame.length - 2)) }
      : undefined;
  if (bytes.length < 4) return { error: `RTU frame of ${bytes.length} bytes` };
  // The quirk first: CRC-over-CRC is 0, so the doubled frame would also pass as a whole.
  const frame =
    (bytes.length >= 6 && bytes.readUInt16LE(bytes.length - 2) === 0
      ? check(bytes.subarray(0, -2))
      : undefined) ?? check(bytes);
  return frame ?? { error: 'RTU CRC mismatch' };
}
