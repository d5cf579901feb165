/**
 * `egw scan` for one host or serial line: which unit ids answer, and which profile each device
 * fits. A unit is present when it answers a read of holding registers 40000–40001 (data or any
 * exception other than the gateway ones 0A/0B); silence means nobody is there.
 */
import { EgwError, ModbusError, NotFoundError, TimeoutError, ValidationError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { ModbusConnection } from '../modbus/modbus-connection.ts';
import { modbusExceptionKind } from '../modbus/modbus-exception-kind.ts';
import { plannedBlocks } from '../profiles/profile-blocks.ts';
import type { ProfileRegistry } from '../profiles/profile-registry.ts';
import { decodeReading } from '../profiles/decode.ts';
import { identifyProfile } from './identify-profile.ts';
import { unitReader } from './register-reader.ts';
import { discoverSunSpecProfile, type SunSpecDiscovery } from './sunspec-discovery.ts';

/** One unit that answered. */
export interface ScanResult {
  /** "host:port" or the serial path. */
  target: string;
  unit: number;
  /** Profile id, when one fits. */
  profile?: string;
  /** How the profile was recognised, or why none was. */
  how: string;
  make?: string;
  model?: string;
  serial?: string;
}

export interface ScanUnitsOptions {
  connection: ModbusConnection;
  target: string;
  units: readonly number[];
  profiles: ProfileRegistry;
  logger: Logger;
  discoverSunSpec?: SunSpecDiscovery;
  /** Called after each unit (for a progress bar). */
  onProgress?: (done: number, total: number, found: number) => void;
  signal?: AbortSignal;
}

async function answers(connection: ModbusConnection, unit: number, signal?: AbortSignal): Promise<boolean> {
  try {
    await connection.readRegisters({ fc: 3, unit, address: 40000, count: 2 }, signal);
    return true;
  } catch (error) {
    if (error instanceof ModbusError) return modbusExceptionKind(error.exceptionCode) !== 'gateway';
    if (error instanceof TimeoutError) return false;
    throw error;
  }
}

/** Scans `units` one after another over one connection; resolves the units that answered. */
export async function scanUnits(options: ScanUnitsOptions): Promise<ScanResult[]> {
  const { connection, units, target, signal } = options;
  const found: ScanResult[] = [];
  for (const [index, unit] of units.entries()) {
    signal?.throwIfAborted();
    if (await answers(connection, unit, signal)) found.push(await identifyUnit(options, unit));
    options.onProgress?.(index + 1, units.length, found.length);
  }
  options.logger.debug({ target, found: found.length }, 'scan finished');
  return found;
}

async function identifyUnit(options: ScanUnitsOptions, unit: number): Promise<ScanResult> {
  const { connection, profiles, target, signal } = options;
  const read = unitReader(connection, unit);
  const name = `${target} unit ${unit}`;
  try {
    const { profile, how } = await identifyProfile(
      name,
      read,
      profiles,
      options.discoverSunSpec ?? discoverSunSpecProfile,
      signal,
    );
    const result: ScanResult = { target, unit, profile: profile.id, how };
    // Identity for the table: read the profile's blocks once; a failure here still leaves the match.
    try {
      const blocks = [];
      for (const block of plannedBlocks(profile)) {
        try {
          blocks.push({ ...block, registers: await read(block.function, block.start, block.count, signal) });
        } catch (error) {
          // A block the profile marks optional (a serial some firmware lacks) does not hide the rest.
          if (!(block.optional && error instanceof ModbusError)) throw error;
        }
      }
      const decoded = decodeReading(profile, blocks);
      for (const field of ['make', 'model', 'serial'] as const) {
        if (decoded[field] !== undefined) result[field] = decoded[field];
      }
    } catch (error) {
      if (!(error instanceof EgwError)) throw error;
    }
    return result;
  } catch (error) {
    if (error instanceof NotFoundError || error instanceof EgwError) {
      return {
        target,
        unit,
        how: error instanceof NotFoundError ? 'answers, but no profile recognised it' : error.message,
      };
    }
    throw error;
  }
}

/** Parses "1-247", "1,2,10-12" into sorted unique unit ids (0–255); ValidationError naming the bad part. */
export function parseUnits(text: string): number[] {
  const units = new Set<number>();
  for (const part of text.split(',')) {
    const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    const from = Number(match?.[1]);
    const to = match?.[2] === undefined ? from : Number(match[2]);
    if (!match || from > to || to > 255)
      throw new ValidationError(`units "${part}": want N or N-M within 0-255`, 'units');
    for (let u = from; u <= to; u++) units.add(u);
  }
  return [...units].sort((a, b) => a - b);
}
