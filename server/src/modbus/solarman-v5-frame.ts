/**
 * The Solarman V5 frame (IGEN-Tech Wi-Fi/LAN logger sticks, TCP port 8899) around Modbus RTU frames,
 * after the public protocol description (pysolarmanv5 docs, "Solarman V5 Protocol"). Little endian:
 *
 *   A5 | length (2) | control (2) | sequence (2) | logger serial (4) | payload (length) | checksum | 15
 *
 * Request payload: frame type 02, sensor type (2), total working time (4), power-on time (4), offset
 * time (4), RTU frame. Response payload: frame type, status, the three times (4 each), RTU frame.
 * The checksum is the byte sum of everything between start and checksum. The first sequence byte
 * of a request is echoed in the response; the logger counts its answers in the second.
 */

export const V5_START = 0xa5;
export const V5_END = 0x15;
/** Control codes: a Modbus request, its response (request − 0x3000), the logger's keep-alive. */
export const V5_CONTROL = { request: 0x4510, response: 0x1510, heartbeat: 0x4710 } as const;
const HEADER_BYTES = 11;
const REQUEST_PREFIX_BYTES = 15;
const RESPONSE_PREFIX_BYTES = 14;
/** Largest payload accepted: an RTU frame is at most 256 bytes (+2 for the double-CRC quirk). */
const MAX_PAYLOAD_BYTES = 300;

/** One V5 frame on the wire. */
export interface V5Frame {
  control: number;
  /** First sequence byte (the requester's). */
  sequence: number;
  /** Second sequence byte (the logger's answer counter). */
  loggerSequence: number;
  loggerSerial: number;
  payload: Buffer;
}

/** Why bytes were not a frame: counted by the transport, never thrown past it. */
export type V5FrameErrorKind = 'checksum' | 'end' | 'length' | 'truncated';

export interface V5FrameError {
  error: V5FrameErrorKind;
  message: string;
}

/** Byte sum of everything between start and checksum, mod 256. */
export function v5Checksum(frame: Uint8Array): number {
  let sum = 0;
  for (let i = 1; i < frame.length - 2; i++) sum += frame[i]!;
  return sum & 0xff;
}

/** Builds a frame around a payload. */
export function encodeV5(frame: V5Frame): Buffer {
  const out = Buffer.alloc(HEADER_BYTES + frame.payload.length + 2);
  out[0] = V5_START;
  out.writeUInt16LE(frame.payload.length, 1);
  out.writeUInt16LE(frame.control, 3);
  out[5] = frame.sequence & 0xff;
  out[6] = frame.loggerSequence & 0xff;
  out.writeUInt32LE(frame.loggerSerial >>> 0, 7);
  frame.payload.copy(out, HEADER_BYTES);
  out[out.length - 2] = v5Checksum(out);
  out[out.length - 1] = V5_END;
  return out;
}

/** A Modbus request frame: the RTU frame behind the request prefix (frame type 02, zero times). */
export function encodeV5Request(loggerSerial: number, sequence: number, rtu: Buffer): Buffer {
  const payload = Buffer.alloc(REQUEST_PREFIX_BYTES + rtu.length);
  payload[0] = 0x02;
  rtu.copy(payload, REQUEST_PREFIX_BYTES);
  return encodeV5({ control: V5_CONTROL.request, sequence, loggerSequence: 0, loggerSerial, payload });
}

/** A Modbus response frame as a logger sends it (frame type 02, status 01, its clock fields). */
export function encodeV5Response(
  request: Pick<V5Frame, 'sequence' | 'loggerSerial'>,
  loggerSequence: number,
  rtu: Buffer,
  times: { workingS: number; powerOnS: number; offsetS: number } = { workingS: 0, powerOnS: 0, offsetS: 0 },
): Buffer {
  const payload = Buffer.alloc(RESPONSE_PREFIX_BYTES + rtu.length);
  payload[0] = 0x02;
  payload[1] = 0x01;
  payload.writeUInt32LE(times.workingS >>> 0, 2);
  payload.writeUInt32LE(times.powerOnS >>> 0, 6);
  payload.writeUInt32LE(times.offsetS >>> 0, 10);
  rtu.copy(payload, RESPONSE_PREFIX_BYTES);
  return encodeV5({
    control: V5_CONTROL.response,
    sequence: request.sequence,
    loggerSequence,
    loggerSerial: request.loggerSerial,
    payload,
  });
}

/** The RTU frame inside a request or response payload. */
export function v5Rtu(frame: V5Frame): Buffer {
  const prefix = frame.control === V5_CONTROL.request ? REQUEST_PREFIX_BYTES : RESPONSE_PREFIX_BYTES;
  return frame.payload.subarray(prefix);
}

/**
 * Splits a TCP byte stream into V5 frames. Bytes before a start byte are skipped; a frame with a bad
 * end byte or checksum is reported and skipped, so one bad frame never desynchronises the stream.
 */
export class V5Framer {
  private buffered: Buffer = Buffer.alloc(0);

  /** Adds a chunk; returns the frames and frame errors now complete, in order. */
  push(chunk: Buffer): (V5Frame | V5FrameError)[] {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const out: (V5Frame | V5FrameError)[] = [];
    for (;;) {
      const start = this.buffered.indexOf(V5_START);
      if (start < 0) {
        this.buffered = Buffer.alloc(0);
        break;
      }
      this.buffered = this.buffered.subarray(start);
      if (this.buffered.length < 3) break;
      const length = this.buffered.readUInt16LE(1);
      if (length > MAX_PAYLOAD_BYTES) {
        out.push({ error: 'length', message: `V5 payload length ${length} > ${MAX_PAYLOAD_BYTES}` });
        this.buffered = this.buffered.subarray(1);
        continue;
      }
      const total = HEADER_BYTES + length + 2;
      if (this.buffered.length < total) break;
      const bytes = this.buffered.subarray(0, total);
      this.buffered = this.buffered.subarray(total);
      if (bytes[total - 1] !== V5_END) {
        out.push({
          error: 'end',
          message: `V5 frame ends with 0x${bytes[total - 1]!.toString(16)}, not 0x15`,
        });
        continue;
      }
      const checksum = v5Checksum(bytes);
      if (bytes[total - 2] !== checksum) {
        out.push({
          error: 'checksum',
          message: `V5 checksum 0x${bytes[total - 2]!.toString(16)}, computed 0x${checksum.toString(16)}`,
        });
        continue;
      }
      out.push({
        control: bytes.readUInt16LE(3),
        sequence: bytes[5]!,
        loggerSequence: bytes[6]!,
        loggerSerial: bytes.readUInt32LE(7),
        payload: Buffer.from(bytes.subarray(HEADER_BYTES, total - 2)),
      });
    }
    return out;
  }

  /** Bytes of an incomplete frame (a stream that ends here ends in a truncated frame). */
  pendingBytes(): number {
    return this.buffered.length;
  }
}

/** Whether a push() result is an error. */
export function isV5Error(item: V5Frame | V5FrameError): item is V5FrameError {
  return 'error' in item;
}
