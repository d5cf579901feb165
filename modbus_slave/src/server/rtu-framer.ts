/**
 * Modbus RTU framing for the server side: CRC-16/MODBUS and splitting a serial byte stream into
 * request frames. RTU has no length header, so a request's length follows from its function code;
 * on a CRC mismatch one byte is skipped until the stream lines up again.
 */

import { crc16 } from '../../../server/src/modbus/rtu-frame.ts';
import type { RtuFrame } from '../../../server/src/modbus/rtu-frame.ts';

export { crc16, encodeRtu, type RtuFrame } from '../../../server/src/modbus/rtu-frame.ts';

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
