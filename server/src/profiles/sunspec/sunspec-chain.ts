/**
 * Walks a SunSpec device's model chain: find "SunS" at a base address, then follow each model's id
 * and length to the end marker 0xFFFF. Pure: the caller passes a function that reads registers.
 */
import { ModbusError, NotFoundError } from '../../core/errors.ts';

/** Reads `count` holding registers from wire address `wireStart` (function 3). */
export type RegisterRead = (wireStart: number, count: number) => Promise<number[]>;

/** One model found in the chain: id, wire address of its ID register, length L (registers after ID and L). */
export interface SunSpecModelRef {
  id: number;
  start: number;
  length: number;
}

/** A discovered chain: the base holding "SunS" and the models in device order. */
export interface SunSpecChain {
  base: number;
  models: SunSpecModelRef[];
}

/** "SunS" as two registers. */
export const SUNSPEC_MARKER: readonly [number, number] = [0x5375, 0x6e53];
/** The conventional base addresses, in the order to try them. */
export const SUNSPEC_BASES: readonly number[] = [40000, 0, 50000];
/** Chains longer than this are treated as garbage (a real device has at most a few dozen models). */
const MAX_MODELS = 100;
const END_ID = 0xffff;

async function hasMarker(read: RegisterRead, base: number): Promise<boolean> {
  try {
    const words = await read(base, 2);
    return words[0] === SUNSPEC_MARKER[0] && words[1] === SUNSPEC_MARKER[1];
  } catch (error) {
    // An exception answer means "not here"; a dead link must surface to the caller.
    if (error instanceof ModbusError) return false;
    throw error;
  }
}

async function walkFrom(read: RegisterRead, base: number): Promise<SunSpecModelRef[]> {
  const models: SunSpecModelRef[] = [];
  let address = base + 2;
  while (models.length < MAX_MODELS && address + 2 <= 0x10000) {
    let header: number[];
    try {
      header = await read(address, 2);
    } catch (error) {
      // Some devices omit the end marker and answer "illegal address" past the last model.
      if (error instanceof ModbusError && models.length > 0) break;
      throw error;
    }
    const [id = END_ID, length = 0] = header;
    if (id === END_ID || (id === 0 && length === 0)) break;
    models.push({ id, start: address, length });
    address += 2 + length;
  }
  return models;
}

/** Finds "SunS" at the first answering base and lists the chain's models (unknown ones kept by id and length). */
export async function walkSunSpecChain(
  read: RegisterRead,
  bases: readonly number[] = SUNSPEC_BASES,
): Promise<SunSpecChain> {
  for (const base of bases) {
    if (await hasMarker(read, base)) return { base, models: await walkFrom(read, base) };
  }
  throw new NotFoundError(`no SunSpec marker "SunS" at register ${bases.join(', ')}`, { field: 'profile' });
}
