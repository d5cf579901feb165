/**
 * A ModbusLink to a Solarman V5 logger stick (TCP, default port 8899): each Modbus request travels as
 * an RTU frame inside a V5 request frame; the answer is the V5 response with the same first sequence
 * byte. Frames that fail the V5 checksum, the RTU CRC or the expected shape reject the request as
 * malformed (the connection counts it and reconnects); a stream that closes inside a frame is a
 * truncated frame. Heartbeats and stale answers are ignored.
 */
import type net from 'node:net';
import { connectSocket } from './connect-socket.ts';
import { LinkError, type ModbusLink, type RegisterRequest, type WriteRequest } from './modbus-link.ts';
import { decodeRtu, encodeRtu } from './rtu-frame.ts';
import {
  encodeV5Request,
  isV5Error,
  v5Rtu,
  V5_CONTROL,
  V5Framer,
  type V5Frame,
} from './solarman-v5-frame.ts';

/** Where a Solarman logger is reached. */
export interface SolarmanV5Target {
  type: 'solarmanv5';
  host: string;
  port: number;
  /** The stick's serial number (printed on it; part of every frame). */
  loggerSerial: number;
}

interface Pending {
  sequence: number;
  unit: number;
  fc: number;
  /** Checks the reply PDU (function code already matched) and settles. */
  accept: (pdu: Buffer) => void;
  reject: (error: LinkError) => void;
}

const malformed = (message: string): LinkError =>
  new LinkError({ kind: 'malformed', message: `solarman v5: ${message}` });

class SolarmanV5Link implements ModbusLink {
  private readonly socket: net.Socket;
  private readonly loggerSerial: number;
  private readonly framer = new V5Framer();
  private sequence: number;
  private pending: Pending | undefined;
  private closedReason: string | undefined;
  private readonly closeListeners: ((reason: string) => void)[] = [];
  private released: Promise<void> | undefined;

  constructor(socket: net.Socket, loggerSerial: number, firstSequence: number) {
    this.socket = socket;
    this.loggerSerial = loggerSerial;
    this.sequence = firstSequence;
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (error) => this.closed(`socket error: ${error.message}`));
    socket.on('close', () => {
      const partial = this.framer.pendingBytes();
      if (partial > 0)
        this.fail(malformed(`truncated frame (${partial} bytes) before the connection closed`));
      this.closed('connection closed by the logger');
    });
  }

  read(request: RegisterRequest): Promise<number[]> {
    const pdu = Buffer.alloc(5);
    pdu[0] = request.fc;
    pdu.writeUInt16BE(request.address, 1);
    pdu.writeUInt16BE(request.count, 3);
    return this.send(request.unit, pdu, (reply) => {
      if (reply.length !== 2 + request.count * 2 || reply[1] !== request.count * 2)
        throw malformed(`reply holds ${reply.length - 2} data bytes, asked ${request.count * 2}`);
      return Array.from({ length: request.count }, (_, i) => reply.readUInt16BE(2 + i * 2));
    });
  }

  write(request: WriteRequest): Promise<void> {
    const single = request.fc === 6;
    const pdu = Buffer.alloc(single ? 5 : 6 + request.values.length * 2);
    pdu[0] = request.fc;
    pdu.writeUInt16BE(request.address, 1);
    if (single) pdu.writeUInt16BE(request.values[0]! & 0xffff, 3);
    else {
      pdu.writeUInt16BE(request.values.length, 3);
      pdu[5] = request.values.length * 2;
      request.values.forEach((v, i) => pdu.writeUInt16BE(v & 0xffff, 6 + i * 2));
    }
    return this.send(request.unit, pdu, (reply) => {
      if (reply.length !== 5) throw malformed(`write reply of ${reply.length} bytes`);
    });
  }

  onClose(listener: (reason: string) => void): void {
    if (this.closedReason !== undefined) listener(this.closedReason);
    else this.closeListeners.push(listener);
  }

  destroy(): Promise<void> {
    this.closed('connection closed');
    this.released ??= new Promise<void>((resolve) => {
      if (this.socket.destroyed) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.destroy();
    });
    return this.released;
  }

  private send<T>(unit: number, pdu: Buffer, parse: (reply: Buffer) => T): Promise<T> {
    if (this.closedReason !== undefined)
      return Promise.reject(new LinkError({ kind: 'closed', message: this.closedReason }));
    this.sequence = (this.sequence % 255) + 1;
    const sequence = this.sequence;
    return new Promise<T>((resolve, reject) => {
      this.pending = {
        sequence,
        unit,
        fc: pdu[0]!,
        accept: (reply) => {
          try {
            resolve(parse(reply));
          } catch (error) {
            reject(error);
          }
        },
        reject,
      };
      this.socket.write(encodeV5Request(this.loggerSerial, sequence, encodeRtu({ unit, pdu })));
    });
  }

  private receive(chunk: Buffer): void {
    for (const item of this.framer.push(chunk)) {
      if (isV5Error(item)) this.fail(malformed(item.message));
      else this.answer(item);
    }
  }

  private answer(frame: V5Frame): void {
    const pending = this.pending;
    // Keep-alives, and answers to requests that already timed out, belong to nobody.
    if (!pending || frame.control !== V5_CONTROL.response || frame.sequence !== pending.sequence) return;
    const rtu = decodeRtu(Buffer.from(v5Rtu(frame)));
    if ('error' in rtu) return this.fail(malformed(rtu.error));
    const fc = rtu.pdu[0] ?? 0;
    if (rtu.unit !== pending.unit || (fc & 0x7f) !== pending.fc)
      return this.fail(
        malformed(`reply from unit ${rtu.unit} FC${fc & 0x7f}, asked unit ${pending.unit} FC${pending.fc}`),
      );
    this.pending = undefined;
    if (fc & 0x80) pending.reject(new LinkError({ kind: 'exception', code: rtu.pdu[1] ?? 0 }));
    else pending.accept(rtu.pdu);
  }

  private fail(error: LinkError): void {
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(error);
  }

  private closed(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    this.fail(new LinkError({ kind: 'closed', message: reason }));
    for (const listener of this.closeListeners.splice(0)) listener(reason);
  }
}

/** Opens a TCP connection to the logger; gives up when the signal aborts. */
export async function openSolarmanV5Link(target: SolarmanV5Target, signal: AbortSignal): Promise<ModbusLink> {
  const socket = await connectSocket(target.host, target.port, signal);
  // The first sequence byte starts from the local port so two connections' streams differ.
  return new SolarmanV5Link(socket, target.loggerSerial, (socket.localPort ?? 0) % 255);
}
