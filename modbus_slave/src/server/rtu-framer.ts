/**
 * Modbus RTU framing for the server side: CRC-16/MODBUS and splitting a serial byte stream into
 * request frames. RTU has no length header, so a request's length follows from its function code;
 * on a CRC mismatch one byte is skipped until the stream lines up again.
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

/** Expected request length in bytes from the buffered start, or undefined if not yet known / unknown function. */
function requestLength(buffer: Buffer): number | 'unknown' | undefined {
  if (buffer.length < 2) return undefined;
  const functionCode = buffer[1]!;
  if (functionCode >= 1 && functionCode <= 6) return 8;
  if (functionCode === 15 || functionCode === 16) return buffer.length < 7 ? undefined : 9 + buffer[6]!;
  return 'unknown';
}

/** Accumulates serial bytes and yields complete, CRC-checked request frames. */
export class RtuFramer {
  private buffered: Buffer = Buffer.alloc(0);
  /** Bytes skipped to resynchronise (noise, partial frames, bad CRC). */
  skippedBytes = 0;

  /** Adds bytes; returns every complete valid request. */
  push(chunk: Buffer): RtuFrame[] {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    const frames: RtuFrame[] = [];
    for (;;) {
      const length = requestLength(this.buffered);
      if (length === undefined) break;
      if (length === 'unknown') {
        this.skip(1);
        continue;
      }
      if (this.buffered.length < length) break;
      const candidate = this.buffered.subarray(0, length);
      if (crc16(candidate.subarray(0, length - 2)) !== candidate.readUInt16LE(length - 2)) {
        this.skip(1);
        continue;
      }
      frames.push({ unit: candidate[0]!, pdu: Buffer.from(candidate.subarray(1, length - 2)) });
      this.buffered = this.buffered.subarray(length);
    }
    return frames;
  }

  private skip(count: number): void {
    this.skippedBytes += count;
    this.buffered = this.buffered.subarray(count);
  }
}
