/**
 * What the three command lines (`egw`, `egw-sim`, `egw-ble`) share: strict option parsing, number
 * options with bounds, and one way to end — exit 0 when done, 1 on a runtime failure, 2 on a usage or
 * configuration error — with one line on stderr that names the program.
 */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import type { TextSink } from './cli-io.ts';
import { ConfigError, UsageError, ValidationError, describeError } from './errors.ts';

/** The command did what it was asked. */
export const EXIT_OK = 0;
/** Something failed while running (a device, the network, the disk). */
export const EXIT_FAILURE = 1;
/** The command line or the configuration is wrong; nothing was done. */
export const EXIT_USAGE = 2;

/** Parses `args` strictly: unknown options, missing values and stray words are usage errors. */
export function parseOptions<const O extends ParseArgsOptionsConfig>(args: string[], options: O) {
  return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
}

/** An integer option within min–max (`fallback` when absent); a UsageError naming the option otherwise. */
export function integerOption(
  name: string,
  text: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} ${text}: must be an integer from ${min} to ${max}`, name);
  }
  return value;
}

/** A number option within min–max, undefined when absent; a UsageError naming the option otherwise. */
export function numberOption(
  name: string,
  text: string | undefined,
  min = -Infinity,
  max = Infinity,
): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    const range =
      Number.isFinite(min) && Number.isFinite(max)
        ? ` from ${min} to ${max}`
        : Number.isFinite(min)
          ? ` ≥ ${min}`
          : Number.isFinite(max)
            ? ` ≤ ${max}`
            : '';
    throw new UsageError(`--${name} ${text}: must be a number${range}`, name);
  }
  return value;
}

/** Whether an error is the caller's: a bad command line or configuration (exit 2). */
export function isUsageError(error: unknown): boolean {
  if (error instanceof UsageError || error instanceof ConfigError || error instanceof ValidationError) {
    return true;
  }
  return isParseArgsError(error);
}

// node:util parseArgs signals unknown options and missing values with ERR_PARSE_ARGS_* codes.
function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

/** The exit code for an error that ended a command. */
export function exitCodeOf(error: unknown): number {
  return isUsageError(error) ? EXIT_USAGE : EXIT_FAILURE;
}

/**
 * The one stderr line for an error: `<program>: <message>`, newlines folded; "invalid configuration: "
 * before a ConfigError's message; `help` (e.g. "egw read --help") after an unknown option or a
 * missing value.
 */
export function errorLine(program: string, error: unknown, help?: string): string {
  const prefix = error instanceof ConfigError ? 'invalid configuration: ' : '';
  const hint = help !== undefined && isParseArgsError(error) ? `; see \`${help}\`` : '';
  return `${program}: ${prefix}${describeError(error).replace(/\s*\n\s*/g, ' ')}${hint}\n`;
}

/** Runs a command's body: its exit code, or for a throw one line on `stderr` and exit 1 or 2. */
export async function runProgram(
  program: string,
  body: () => Promise<number>,
  help?: string,
  stderr: TextSink = process.stderr,
): Promise<number> {
  try {
    return await body();
  } catch (error) {
    stderr.write(errorLine(program, error, help));
    return exitCodeOf(error);
  }
}
