/**
 * Splits a Modbus TCP byte stream into MBAP frames. TCP delivers chunks, not frames: one chunk may
 * hold half a request or several pipelined ones, so bytes are kept until a whole frame is there.
 */

/** One Modbus TCP request or response: MBAP header fields and the PDU. */
export interface MbapFrame {
  transactionId: number;
  unit: number;
  pdu: Buffer;
}

/** MBAP header length up to and including the unit id. */
export const MBAP_HEADER_BYTES = 7;
/** Largest PDU the protocol allows (256-byte serial ADU minus address and CRC). */
export const MAX_PDU_BYTES = 253;

/** Builds a frame's bytes. */
export function encodeMbap(frame: MbapFrame): Buffer {
  const out = Buffer.alloc(MBAP_HEADER_BYTES + frame.pdu.length);
  out.writeUInt16BE(frame.transactionId & 0xffff, 0);
  out.writeUInt16BE(0, 2);
  out.writeUInt16BE(frame.pdu.length + 1, 4);
  out[6] = frame.unit & 0xff;
  frame.pdu.copy(out, MBAP_HEADER_BYTES);
  return out;
}

/** Thrown by push() when the stream cannot be Modbus TCP (wrong protocol id or length). */
export class MalformedStreamError extends Error {}

/** Accumulates chunks and yields complete frames. */
export class MbapFramer {
  private buffered: Buffer = Buffer.alloc(0);

  /** Adds a chunk; returns every frame now complete, in order. */
  push(chunk: Buffer): MbapFrame[] {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const frames: MbapFrame[] = [];
    while (this.buffered.length >= MBAP_HEADER_BYTES) {
      const protocolId = this.buffered.readUInt16BE(2);
      const length = this.buffered.readUInt16BE(4);
      if (protocolId !== 0 || length < 2 || length > MAX_PDU_BYTES + 1) {
        throw new MalformedStreamError(
          `MBAP header: protocol id ${protocolId} (must be 0), length ${length} (must be 2–${MAX_PDU_BYTES + 1})`,
        );
      }
      const total = 6 + length;
      if (this.buffered.length < total) break;
      frames.push({
        transactionId: this.buffered.readUInt16BE(0),
        unit: this.buffered[6]!,
        pdu: Buffer.from(this.buffered.subarray(MBAP_HEADER_BYTES, total)),
      });
      this.buffered = this.buffered.subarray(total);
    }
    return frames;
  }

  /** Bytes waiting for the rest of their frame. */
  pendingBytes(): number {
    return this.buffered.length;
  }
}
