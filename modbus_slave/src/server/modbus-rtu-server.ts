/**
 * Modbus RTU server on a serial port (serialport): the devices on one bus answer by unit address,
 * from the same register images and fault decisions as over TCP. Broadcasts (unit 0) get no answer.
 */
import { SerialPort } from 'serialport';
import { SystemClock, type Clock } from '../../../server/src/core/clock.ts';
import { TransportError } from '../../../server/src/core/errors.ts';
import { silentLogger, type Logger } from '../../../server/src/core/logger.ts';
import type { FaultController } from '../faults/fault-controller.ts';
import type { ModbusServerStats } from './modbus-tcp-server.ts';
import { countRequest, emptyServerStats, malform } from './modbus-tcp-server.ts';
import { EXCEPTION, exceptionPdu, handlePdu } from './modbus-pdu.ts';
import type { RegisterImage } from './register-image.ts';
import { encodeRtu, RtuFramer, type RtuFrame } from './rtu-framer.ts';

/** How to build an RTU server. */
export interface ModbusRtuServerOptions {
  path: string;
  baudRate?: number;
  imageFor(unit: number): RegisterImage | undefined;
  onWrite?(unit: number, address: number, values: number[]): void;
  /** The exception a write is refused with (read-only registers), or undefined to accept it. */
  refuseWrite?(unit: number, address: number, count: number): number | undefined;
  faultsForUnit?(unit: number): FaultController | undefined;
  clock?: Clock;
  logger?: Logger;
}

/** A Modbus RTU server on one serial port. */
export class ModbusRtuServer {
  private port: SerialPort | undefined;
  private readonly framer = new RtuFramer();
  private queue: Promise<void> = Promise.resolve();
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly options: ModbusRtuServerOptions;
  private readonly counters = emptyServerStats();

  constructor(options: ModbusRtuServerOptions) {
    this.options = options;
    this.clock = options.clock ?? new SystemClock();
    this.logger = options.logger ?? silentLogger();
  }

  /** Opens the serial port. */
  async open(): Promise<void> {
    const port = new SerialPort({
      path: this.options.path,
      baudRate: this.options.baudRate ?? 9600,
      autoOpen: false,
    });
    await new Promise<void>((resolve, reject) =>
      port.open((error) =>
        error
          ? reject(new TransportError(`${this.options.path}: cannot open: ${error.message}`, {}, error))
          : resolve(),
      ),
    );
    port.on('data', (chunk: Buffer) => this.receive(chunk));
    port.on('error', (error) => this.logger.warn({ err: error }, 'serial port error'));
    this.port = port;
    this.counters.connectionsTotal = 1;
  }

  /** Counters so far (connections: 1 while the port is open). */
  stats(): ModbusServerStats {
    return {
      ...this.counters,
      reads: { ...this.counters.reads },
      connectionsOpen: this.port?.isOpen ? 1 : 0,
      malformedRequests: this.framer.skippedBytes,
    };
  }

  /** Closes the serial port. */
  async close(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    if (!port?.isOpen) return;
    await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  private receive(chunk: Buffer): void {
    this.counters.bytesIn += chunk.length;
    for (const frame of this.framer.push(chunk)) {
      countRequest(this.counters, frame.unit, frame.pdu);
      this.queue = this.queue.then(() => this.answer(frame)).catch(() => {});
    }
  }

  private async answer(frame: RtuFrame): Promise<void> {
    const functionCode = frame.pdu[0] ?? 0;
    if (frame.unit === 0) {
      // Broadcast: nobody answers. Broadcast writes are not applied; no simulated device needs them.
      return;
    }
    let image: RegisterImage | undefined;
    try {
      image = this.options.imageFor(frame.unit);
    } catch (error) {
      this.logger.warn({ err: error, unit: frame.unit }, 'cannot build the answer; sending exception 04');
      this.port?.write(
        encodeRtu({ unit: frame.unit, pdu: exceptionPdu(functionCode, EXCEPTION.serverDeviceFailure) }),
      );
      return;
    }
    if (!image) return; // another device's address: stay quiet, as on a shared bus
    const decision = this.options.faultsForUnit?.(frame.unit)?.decideRequest() ?? {
      delayMs: 0,
      action: { kind: 'answer' as const },
    };
    if (decision.delayMs > 0) await this.clock.sleep(decision.delayMs, 'modbus-rtu-latency');
    const action = decision.action;
    if (action.kind === 'silent' || action.kind === 'drop') return;
    const pdu =
      action.kind === 'exception'
        ? exceptionPdu(functionCode, action.code)
        : handlePdu(
            image,
            frame.pdu,
            (address, values) => this.options.onWrite?.(frame.unit, address, values),
            (address, count) => this.options.refuseWrite?.(frame.unit, address, count),
          );
    let bytes = encodeRtu({ unit: action.kind === 'txid' ? (frame.unit % 247) + 1 : frame.unit, pdu });
    if (action.kind === 'malformed') {
      bytes = encodeRtu({ unit: frame.unit, pdu: malform(pdu) });
      bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0xff; // and a CRC that fails
    }
    if ((pdu[0] ?? 0) & 0x80) this.counters.exceptionsSent++;
    this.counters.responses++;
    this.counters.bytesOut += bytes.length;
    this.port?.write(bytes);
  }
}
