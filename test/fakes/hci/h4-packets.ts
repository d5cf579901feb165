/**
 * HCI H4 framing (Core spec Vol 4 Part A): one type byte, then a command, ACL data or event packet.
 * Pure byte work for the virtual controller: split a byte stream into packets, build events.
 */

export const H4_COMMAND = 0x01;
export const H4_ACL = 0x02;
export const H4_EVENT = 0x04;

export const EVT_DISCONNECTION_COMPLETE = 0x05;
export const EVT_COMMAND_COMPLETE = 0x0e;
export const EVT_COMMAND_STATUS = 0x0f;
export const EVT_NUMBER_OF_COMPLETED_PACKETS = 0x13;
export const EVT_LE_META = 0x3e;
export const LE_CONNECTION_COMPLETE = 0x01;

/** Packet boundary flags of an ACL header (bits 12–13 of the handle field). */
export const ACL_START_NO_FLUSH = 0x0;
export const ACL_CONTINUATION = 0x1;
export const ACL_START = 0x2;

/** One H4 packet from the host. */
export type HostPacket =
  | { kind: 'command'; opcode: number; params: Buffer }
  | { kind: 'acl'; handle: number; boundary: number; data: Buffer };

/** Splits the host's byte stream into H4 packets; bytes of an unknown type are counted and dropped. */
export class H4Splitter {
  private buffer = Buffer.alloc(0);
  /** Bytes dropped because they did not start a known packet type. */
  garbageBytes = 0;

  push(chunk: Buffer): HostPacket[] {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    const packets: HostPacket[] = [];
    for (;;) {
      const type = this.buffer[0];
      if (type === undefined) return packets;
      if (type === H4_COMMAND) {
        if (this.buffer.length < 4) return packets;
        const size = 4 + this.buffer.readUInt8(3);
        if (this.buffer.length < size) return packets;
        const opcode = this.buffer.readUInt16LE(1);
        packets.push({ kind: 'command', opcode, params: Buffer.from(this.buffer.subarray(4, size)) });
        this.buffer = this.buffer.subarray(size);
      } else if (type === H4_ACL) {
        if (this.buffer.length < 5) return packets;
        const size = 5 + this.buffer.readUInt16LE(3);
        if (this.buffer.length < size) return packets;
        const field = this.buffer.readUInt16LE(1);
        const data = Buffer.from(this.buffer.subarray(5, size));
        packets.push({ kind: 'acl', handle: field & 0x0fff, boundary: (field >> 12) & 0x3, data });
        this.buffer = this.buffer.subarray(size);
      } else {
        this.garbageBytes++;
        this.buffer = this.buffer.subarray(1);
      }
    }
  }
}

/** An H4 event packet. */
export function eventPacket(code: number, params: Buffer): Buffer {
  return Buffer.concat([Buffer.from([H4_EVENT, code, params.length]), params]);
}

/** Command Complete for opcode with status and return parameters (one command credit). */
export function commandComplete(opcode: number, status: number, returned: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt8(1, 0);
  head.writeUInt16LE(opcode, 1);
  head.writeUInt8(status, 3);
  return eventPacket(EVT_COMMAND_COMPLETE, Buffer.concat([head, returned]));
}

/** Command Status for opcode (commands that complete later, e.g. Disconnect). */
export function commandStatus(opcode: number, status: number): Buffer {
  const params = Buffer.alloc(4);
  params.writeUInt8(status, 0);
  params.writeUInt8(1, 1);
  params.writeUInt16LE(opcode, 2);
  return eventPacket(EVT_COMMAND_STATUS, params);
}

/** An H4 ACL data packet. */
export function aclPacket(handle: number, boundary: number, data: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt8(H4_ACL, 0);
  head.writeUInt16LE((handle & 0x0fff) | (boundary << 12), 1);
  head.writeUInt16LE(data.length, 3);
  return Buffer.concat([head, data]);
}

/** A 16-bit opcode from OGF and OCF. */
export const opcode = (ogf: number, ocf: number): number => (ogf << 10) | ocf;
