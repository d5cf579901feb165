/**
 * ATT PDUs (Core spec Vol 3 Part F) a central sends and parses: opcodes, error codes, UUID text.
 */

export const ATT = {
  error: 0x01,
  mtuRequest: 0x02,
  mtuResponse: 0x03,
  findInformationRequest: 0x04,
  findInformationResponse: 0x05,
  readByTypeRequest: 0x08,
  readByTypeResponse: 0x09,
  readRequest: 0x0a,
  readResponse: 0x0b,
  readBlobRequest: 0x0c,
  readBlobResponse: 0x0d,
  readByGroupTypeRequest: 0x10,
  readByGroupTypeResponse: 0x11,
  writeRequest: 0x12,
  writeResponse: 0x13,
  prepareWriteRequest: 0x16,
  prepareWriteResponse: 0x17,
  executeWriteRequest: 0x18,
  executeWriteResponse: 0x19,
  notification: 0x1b,
  indication: 0x1d,
  confirmation: 0x1e,
  writeCommand: 0x52,
} as const;

export const ATT_ERROR_ATTRIBUTE_NOT_FOUND = 0x0a;
export const ATT_ERROR_INVALID_OFFSET = 0x07;

/** An ATT Error Response. */
export class AttError extends Error {
  readonly requestOpcode: number;
  readonly handle: number;
  readonly code: number;
  constructor(requestOpcode: number, handle: number, code: number) {
    super(`ATT error 0x${code.toString(16)} for request 0x${requestOpcode.toString(16)} on handle ${handle}`);
    this.requestOpcode = requestOpcode;
    this.handle = handle;
    this.code = code;
  }
}

/** Little-endian UUID bytes → "2800" or "a07498ca-ad5b-474e-940d-16f1fbe7e8cd". */
export function uuidText(bytes: Buffer): string {
  const hex = Buffer.from(bytes).reverse().toString('hex');
  if (hex.length !== 32) return hex;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** "a07498ca-ad5b-…" or "2800" → little-endian bytes. */
export function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex').reverse();
}

/** Builds a PDU from an opcode, 16-bit fields and trailing bytes. */
export function pdu(op: number, words: number[], tail: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(1 + 2 * words.length);
  head.writeUInt8(op, 0);
  words.forEach((word, i) => head.writeUInt16LE(word, 1 + 2 * i));
  return Buffer.concat([head, tail]);
}
