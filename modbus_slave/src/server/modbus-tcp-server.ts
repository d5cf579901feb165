/**
 * A thin Modbus TCP server on node:net: MBAP framing (partial chunks, pipelined requests answered
 * in order), function 3/4 reads and 6/16 writes from per-unit register images, exception responses,
 * and fault hooks that make it misbehave like devices in the field.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { SystemClock, type Clock } from '../../../server/src/core/clock.ts';
import { CancelledError } from '../../../server/src/core/errors.ts';
import { silentLogger, type Logger } from '../../../server/src/core/logger.ts';
import type { FaultController, RequestAction } from '../faults/fault-controller.ts';
import { encodeMbap, MbapFramer, type MbapFrame } from '../../../server/src/modbus/mbap-framer.ts';
import { decodeRtu, encodeRtu } from '../../../server/src/modbus/rtu-frame.ts';
import {
  encodeV5Response,
  isV5Error,
  v5Rtu,
  V5_CONTROL,
  V5Framer,
} from '../../../server/src/modbus/solarman-v5-frame.ts';
import { EXCEPTION, exceptionPdu, handlePdu, summarizePdu } from './modbus-pdu.ts';
import type { RegisterImage } from './register-image.ts';

/** Counters of one server, for stats and benchmarks. */
export interface ModbusServerStats {
  connectionsTotal: number;
  connectionsOpen: number;
  requests: number;
  responses: number;
  exceptionsSent: number;
  malformedRequests: number;
  bytesIn: number;
  bytesOut: number;
  /** Read requests by "unit:function:address" (what a client asked for, e.g. identity once per connection). */
  reads: Record<string, number>;
}

/** Counts a request; reads (function 3/4) also by unit, function and start address. */
export function countRequest(counters: ModbusServerStats, unit: number, pdu: Buffer): void {
  counters.requests++;
  const { functionCode, address } = summarizePdu(pdu);
  if ((functionCode === 3 || functionCode === 4) && address !== undefined) {
    const key = `${unit}:${functionCode}:${address}`;
    counters.reads[key] = (counters.reads[key] ?? 0) + 1;
  }
}

/** Fresh zeroed counters; the TCP and RTU servers count the same things. */
export function emptyServerStats(): ModbusServerStats {
  return {
    connectionsTotal: 0,
    connectionsOpen: 0,
    requests: 0,
    responses: 0,
    exceptionsSent: 0,
    malformedRequests: 0,
    bytesIn: 0,
    bytesOut: 0,
    reads: {},
  };
}

/** How to build a server. */
export interface ModbusTcpServerOptions {
  host?: string;
  /** TCP port; 0 picks a free one (read it from listen()'s result). */
  port?: number;
  /** The current image of a unit id, or undefined when the server has no such unit (→ exception 0B). */
  imageFor(unit: number): RegisterImage | undefined;
  /** Told about every accepted write (function 6/16). */
  onWrite?(unit: number, address: number, values: number[]): void;
  /** The exception a write is refused with (read-only registers), or undefined to accept it. */
  refuseWrite?(unit: number, address: number, count: number): number | undefined;
  /** Decides about connections (single client, reboot) and, unless faultsForUnit says otherwise, requests. */
  faults?: FaultController;
  /** Per-unit request faults when several devices share one port. */
  faultsForUnit?(unit: number): FaultController | undefined;
  /** Speak Solarman V5 (a logger stick with this serial) instead of Modbus TCP: RTU frames inside V5. */
  solarmanLoggerSerial?: number;
  clock?: Clock;
  logger?: Logger;
}

interface Connection {
  socket: Socket;
  framer: MbapFramer | V5Framer;
  queue: Promise<void>;
  abort: AbortController;
}

/** Modbus TCP server with fault hooks. */
export class ModbusTcpServer {
  private readonly server: Server;
  private readonly connections = new Set<Connection>();
  private readonly clock: Clock;
  private readonly logger: Logger;
  private unsubscribe: () => void = () => {};
  private readonly options: ModbusTcpServerOptions;
  private readonly counters = emptyServerStats();
  /** The V5 logger's answer counter (second sequence byte) and how many frames it damaged. */
  private v5Answers = 0;
  private v5Damaged = 0;

  constructor(options: ModbusTcpServerOptions) {
    this.options = options;
    this.clock = options.clock ?? new SystemClock();
    this.logger = options.logger ?? silentLogger();
    this.server = createServer((socket) => this.accept(socket));
  }

  /** Starts listening; resolves the bound host and port. */
  async listen(): Promise<{ host: string; port: number }> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.unsubscribe =
      this.options.faults?.subscribe({ dropConnections: () => this.dropConnections() }) ?? (() => {});
    const address = this.server.address() as AddressInfo;
    return { host: address.address, port: address.port };
  }

  /** The bound port (0 before listen()). */
  port(): number {
    const address = this.server.address();
    return address && typeof address === 'object' ? address.port : 0;
  }

  /** Counters so far. */
  stats(): ModbusServerStats {
    return { ...this.counters, reads: { ...this.counters.reads }, connectionsOpen: this.connections.size };
  }

  /** Closes every open connection now (the listening socket stays). */
  dropConnections(): void {
    for (const connection of this.connections) this.closeConnection(connection);
  }

  /** Stops listening and closes every connection. */
  async close(): Promise<void> {
    this.unsubscribe();
    this.dropConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    socket.setNoDelay(true);
    if (this.options.faults && !this.options.faults.acceptConnection(this.connections.size)) {
      this.logger.debug({ remote: socket.remotePort }, 'connection refused (fault)');
      socket.destroy();
      return;
    }
    this.counters.connectionsTotal++;
    const connection: Connection = {
      socket,
      framer: this.options.solarmanLoggerSerial === undefined ? new MbapFramer() : new V5Framer(),
      queue: Promise.resolve(),
      abort: new AbortController(),
    };
    this.connections.add(connection);
    socket.on('data', (chunk: Buffer) => this.receive(connection, chunk));
    socket.on('error', () => this.closeConnection(connection));
    socket.on('close', () => this.closeConnection(connection));
  }

  private closeConnection(connection: Connection): void {
    if (!this.connections.delete(connection)) return;
    connection.abort.abort(new CancelledError('connection closed'));
    connection.socket.destroy();
  }

  private receive(connection: Connection, chunk: Buffer): void {
    this.counters.bytesIn += chunk.length;
    let frames: MbapFrame[];
    try {
      frames =
        connection.framer instanceof V5Framer
          ? this.v5Requests(connection.framer, chunk)
          : connection.framer.push(chunk);
    } catch (error) {
      // A stream that is not Modbus TCP cannot be resynchronised; real devices close it too.
      this.counters.malformedRequests++;
      this.logger.debug({ err: error }, 'malformed request stream, closing');
      this.closeConnection(connection);
      return;
    }
    for (const frame of frames) {
      countRequest(this.counters, frame.unit, frame.pdu);
      // Requests are answered strictly one after another, as a device's single Modbus task would.
      connection.queue = connection.queue.then(() => this.answer(connection, frame)).catch(() => {});
    }
  }

  /** Requests inside V5 frames (the sequence byte stands in for the transaction id); bad frames are counted. */
  private v5Requests(framer: V5Framer, chunk: Buffer): MbapFrame[] {
    const frames: MbapFrame[] = [];
    for (const item of framer.push(chunk)) {
      if (isV5Error(item)) {
        this.counters.malformedRequests++;
        continue;
      }
      // A logger answers only frames addressed to its own serial; others it ignores.
      if (item.control !== V5_CONTROL.request || item.loggerSerial !== this.options.solarmanLoggerSerial) {
        this.counters.malformedRequests++;
        continue;
      }
      const rtu = decodeRtu(Buffer.from(v5Rtu(item)));
      if ('error' in rtu) this.counters.malformedRequests++;
      else frames.push({ transactionId: item.sequence, unit: rtu.unit, pdu: rtu.pdu });
    }
    return frames;
  }

  /** The response frame in V5: a "malformed" fault alternates a bad checksum and a frame cut short. */
  private v5Response(
    connection: Connection,
    frame: MbapFrame,
    pdu: Buffer,
    malformed: boolean,
  ): Buffer | undefined {
    const loggerSerial = this.options.solarmanLoggerSerial!;
    this.v5Answers = (this.v5Answers + 1) & 0xff;
    const bytes = encodeV5Response(
      { sequence: frame.transactionId, loggerSerial },
      this.v5Answers,
      encodeRtu({ unit: frame.unit, pdu }),
    );
    if (!malformed) return bytes;
    if (this.v5Damaged++ % 2 === 0) {
      bytes[bytes.length - 2] = (bytes[bytes.length - 2]! ^ 0xff) & 0xff;
      return bytes;
    }
    connection.socket.end(bytes.subarray(0, Math.floor(bytes.length / 2)));
    this.closeConnectionSoon(connection);
    return undefined;
  }

  private closeConnectionSoon(connection: Connection): void {
    connection.socket.once('finish', () => this.closeConnection(connection));
  }

  private async answer(connection: Connection, frame: MbapFrame): Promise<void> {
    if (!this.connections.has(connection)) return;
    const faults = this.options.faultsForUnit?.(frame.unit) ?? this.options.faults;
    const decision = faults?.decideRequest() ?? { delayMs: 0, action: { kind: 'answer' } };
    if (decision.delayMs > 0)
      await this.clock.sleep(decision.delayMs, 'modbus-latency', connection.abort.signal);
    if (!this.connections.has(connection)) return;
    const action = decision.action;
    if (action.kind === 'silent') return;
    if (action.kind === 'drop') {
      this.closeConnection(connection);
      return;
    }
    let pdu: Buffer;
    try {
      pdu = this.respond(frame, action);
    } catch (error) {
      // A device that cannot build its answer says so (04) rather than leaving the client to time out.
      this.logger.warn({ err: error, unit: frame.unit }, 'cannot build the answer; sending exception 04');
      pdu = exceptionPdu(frame.pdu[0] ?? 0, EXCEPTION.serverDeviceFailure);
    }
    const transactionId =
      action.kind === 'txid' ? (frame.transactionId + 0x8000) & 0xffff : frame.transactionId;
    const v5 = this.options.solarmanLoggerSerial !== undefined;
    const bytes = v5
      ? this.v5Response(
          connection,
          { ...frame, transactionId: transactionId & 0xff },
          pdu,
          action.kind === 'malformed',
        )
      : encodeMbap({ transactionId, unit: frame.unit, pdu });
    if (!bytes) return;
    if ((pdu[0] ?? 0) & 0x80) this.counters.exceptionsSent++;
    this.counters.responses++;
    this.counters.bytesOut += bytes.length;
    this.logger.debug({ unit: frame.unit, ...summarizePdu(frame.pdu), action: action.kind }, 'answered');
    connection.socket.write(bytes);
  }

  private respond(frame: MbapFrame, action: RequestAction): Buffer {
    const functionCode = frame.pdu[0] ?? 0;
    if (action.kind === 'exception') return exceptionPdu(functionCode, action.code);
    const image = this.options.imageFor(frame.unit);
    const pdu = image
      ? handlePdu(
          image,
          frame.pdu,
          (address, values) => this.options.onWrite?.(frame.unit, address, values),
          (address, count) => this.options.refuseWrite?.(frame.unit, address, count),
        )
      : exceptionPdu(functionCode, EXCEPTION.gatewayTargetFailed);
    // In V5 a "malformed" answer is damaged at the frame level instead (v5Response).
    return action.kind === 'malformed' && this.options.solarmanLoggerSerial === undefined
      ? malform(pdu)
      : pdu;
  }
}

/** A response that frames correctly but whose PDU lies: a byte count larger than the data sent. */
export function malform(pdu: Buffer): Buffer {
  const functionCode = pdu[0] ?? 0;
  if ((functionCode === 3 || functionCode === 4) && pdu.length >= 2) {
    const out = Buffer.from(pdu);
    out[1] = Math.min(255, (pdu[1] ?? 0) + 2);
    return out;
  }
  return Buffer.from([functionCode]);
}
