/**
 * One open Modbus transport (a TCP socket or a serial port) as the connection layer sees it. The
 * modbus-serial adapter (modbus-serial-link.ts) implements it; unit tests substitute a fake.
 */

/** Where a device is reached. */
export type ModbusTarget =
  | { type: 'tcp'; host: string; port: number }
  | { type: 'rtu'; path: string; baud: number; parity: 'none' | 'even' | 'odd' }
  | { type: 'solarmanv5'; host: string; port: number; loggerSerial: number };

/** A register read: function 3 (holding) or 4 (input), unit id per request, count ≤ 125. */
export interface RegisterRequest {
  fc: 3 | 4;
  unit: number;
  address: number;
  count: number;
}

/** A register write: function 6 (one register) or 16 (several), unit id per request. */
export interface WriteRequest {
  fc: 6 | 16;
  unit: number;
  address: number;
  values: number[];
}

/** Any request a connection puts on the wire. */
export type ModbusRequest = RegisterRequest | WriteRequest;

/**
 * Failure of one request as the link saw it, before the connection turns it into a project error.
 * `exception` carries the Modbus exception code; `malformed` means the reply did not parse (the
 * stream may be out of step); `closed` means the transport went away.
 */
export type LinkFailure =
  | { kind: 'exception'; code: number }
  | { kind: 'malformed'; message: string }
  | { kind: 'closed'; message: string };

/** Thrown by ModbusLink.read; the connection classifies it. */
export class LinkError extends Error {
  readonly failure: LinkFailure;
  constructor(failure: LinkFailure) {
    super(failure.kind === 'exception' ? `exception ${failure.code}` : failure.message);
    this.failure = failure;
    this.name = 'LinkError';
  }
}

/** An open transport. It never times out by itself: the connection owns timeouts. */
export interface ModbusLink {
  /** Sends one request; resolves the register values or rejects with a LinkError. */
  read(request: RegisterRequest): Promise<number[]>;
  /** Writes registers (optional: a link without it refuses writes with exception 01). */
  write?(request: WriteRequest): Promise<void>;
  /** Called once when the transport closes or fails on its own. */
  onClose(listener: (reason: string) => void): void;
  /**
   * Closes the transport; a pending read rejects with a "closed" LinkError at once. Resolves when the
   * transport is released (a serial port must be closed before it can be opened again). Idempotent.
   */
  destroy(): Promise<void>;
}

/** Opens a link; must give up (and release everything) when the signal aborts. */
export type LinkOpener = (target: ModbusTarget, signal: AbortSignal) => Promise<ModbusLink>;

/** "host:port" or "path@baud", for messages. */
export function describeTarget(target: ModbusTarget): string {
  if (target.type === 'rtu') return `${target.path}@${target.baud}`;
  return target.type === 'tcp'
    ? `${target.host}:${target.port}`
    : `${target.host}:${target.port} (V5 ${target.loggerSerial})`;
}
