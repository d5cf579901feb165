/**
 * One error root with a stable code per kind. The HTTP status and whether the message may reach a
 * client live on the error, so adapters (HTTP API, EGWTTP, CLI) never guess.
 */

/** Where an error happened: a device, register, config key, file, request field… */
export interface ErrorPlace {
  device?: string;
  register?: number;
  unit?: number;
  key?: string;
  file?: string;
  field?: string;
}

export interface EgwErrorOptions {
  where?: ErrorPlace;
  cause?: unknown;
  status?: number;
  expose?: boolean;
}

/** Root of every error the project throws on purpose. */
export class EgwError extends Error {
  /** Stable machine-readable code, e.g. "config_invalid". */
  readonly code: string;
  readonly where: ErrorPlace;
  /** HTTP status an API adapter should answer with. */
  readonly status: number;
  /** Whether the message may be shown to a remote client (no internals, no secrets). */
  readonly expose: boolean;

  constructor(code: string, message: string, options: EgwErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.where = options.where ?? {};
    this.status = options.status ?? 500;
    this.expose = options.expose ?? this.status < 500;
  }
}

/** An invalid configuration value; stops start-up. */
export class ConfigError extends EgwError {
  constructor(message: string, key: string, cause?: unknown) {
    super('config_invalid', message, { where: { key }, cause, status: 400 });
  }
}

/** A request body, query or header that breaks the rules; `field` names the offender. */
export class ValidationError extends EgwError {
  constructor(message: string, field: string, code = 'invalid_request') {
    super(code, message, { where: { field }, status: 400 });
  }
}

/** A profile file that does not validate, or a register a profile names wrongly. */
export class ProfileError extends EgwError {
  constructor(message: string, where: ErrorPlace = {}, cause?: unknown) {
    super('profile_invalid', message, { where, cause, status: 422 });
  }
}

/** Modbus exception codes (01–0B) by name. */
export const MODBUS_EXCEPTIONS: Readonly<Record<number, string>> = {
  1: 'illegal function',
  2: 'illegal data address',
  3: 'illegal data value',
  4: 'server device failure',
  5: 'acknowledge',
  6: 'server device busy',
  8: 'memory parity error',
  10: 'gateway path unavailable',
  11: 'gateway target device failed to respond',
};

/** A Modbus exception response from a device. */
export class ModbusError extends EgwError {
  readonly exceptionCode: number;

  constructor(exceptionCode: number, where: ErrorPlace, message?: string) {
    const name = MODBUS_EXCEPTIONS[exceptionCode] ?? 'unknown exception';
    super(
      `modbus_exception_${exceptionCode.toString(16).padStart(2, '0')}`,
      message ??
        `${where.device ?? 'device'} unit ${where.unit ?? '?'} register ${where.register ?? '?'}: exception 0x${exceptionCode.toString(16).padStart(2, '0')} (${name})`,
      { where, status: 502 },
    );
    this.exceptionCode = exceptionCode;
  }
}

/** Something did not answer in time. */
export class TimeoutError extends EgwError {
  constructor(message: string, where: ErrorPlace = {}) {
    super('timeout', message, { where, status: 504 });
  }
}

/** A socket or serial link failed (refused, reset, closed, malformed frame). */
export class TransportError extends EgwError {
  constructor(message: string, where: ErrorPlace = {}, cause?: unknown) {
    super('transport', message, { where, cause, status: 502 });
  }
}

/** A feature this box does not have (no NetworkManager, no Bluetooth adapter…). */
export class NotAvailable extends EgwError {
  constructor(message: string, where: ErrorPlace = {}) {
    super('not_available', message, { where, status: 501, expose: true });
  }
}

/** A command line that breaks the rules (a missing or contradictory option); `field` names it. */
export class UsageError extends EgwError {
  constructor(message: string, field?: string) {
    super('usage', message, { where: field === undefined ? {} : { field }, status: 400 });
  }
}

/** Work stopped on purpose (shutdown, cancel): the reason an AbortSignal carries. */
export class CancelledError extends EgwError {
  constructor(message: string, where: ErrorPlace = {}) {
    super('cancelled', message, { where, status: 503 });
  }
}

/** Something asked for does not exist. */
export class NotFoundError extends EgwError {
  constructor(message: string, where: ErrorPlace = {}) {
    super('not_found', message, { where, status: 404 });
  }
}

/** Turns anything thrown into a one-line description for logs. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
