/**
 * Logging: pino, JSON by default, human-readable on a TTY. One root logger per process, a child per
 * area and device (`logger.child({ area: 'modbus', device: 'inv1' })`). Secrets are redacted by path.
 */
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger } from 'pino';

/** Paths whose values never reach a log line. */
export const REDACTED_PATHS = [
  'token',
  'apiToken',
  'password',
  'passphrase',
  'pin',
  'privateKey',
  'authorization',
  '*.token',
  '*.apiToken',
  '*.password',
  '*.passphrase',
  '*.pin',
  '*.privateKey',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
];

export interface LoggerOptions {
  level?: LevelWithSilent;
  /** Human-readable output; defaults to whether stdout is a TTY. */
  pretty?: boolean;
  name?: string;
}

/** Creates the process's root logger. EGW_LOG_LEVEL overrides the level (tests set it to "silent"). */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = (process.env.EGW_LOG_LEVEL as LevelWithSilent | undefined) ?? options.level ?? 'info';
  const pretty = options.pretty ?? process.stdout.isTTY === true;
  return pino({
    name: options.name ?? 'egw',
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } }
      : {}),
  });
}

/** A logger that drops everything, for unit tests and library defaults. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
