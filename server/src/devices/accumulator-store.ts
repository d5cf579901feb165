/**
 * Where a device's accumulator rollover counts live between restarts: one small JSON file per device
 * in the data directory, replaced atomically (write, then rename) so a crash never leaves half a file.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AccumulatorState } from '../profiles/accumulator-unwrap.ts';

/** Loads and saves the accumulator state of one device. */
export interface AccumulatorStore {
  load(device: string): AccumulatorState;
  save(device: string, state: AccumulatorState): void;
}

function isState(value: unknown): value is AccumulatorState {
  if (typeof value !== 'object' || value === null) return false;
  return Object.values(value).every(
    (entry: unknown) =>
      typeof entry === 'object' &&
      entry !== null &&
      Number.isFinite((entry as { lastRaw?: unknown }).lastRaw) &&
      Number.isInteger((entry as { wraps?: unknown }).wraps),
  );
}

/** A store keeping `<dir>/<device>.json`; an unreadable or malformed file counts as no state. */
export function fileAccumulatorStore(dir: string): AccumulatorStore {
  const fileOf = (device: string): string => join(dir, `${encodeURIComponent(device)}.json`);
  return {
    load(device) {
      try {
        const parsed: unknown = JSON.parse(readFileSync(fileOf(device), 'utf8'));
        return isState(parsed) ? parsed : {};
      } catch {
        return {};
      }
    },
    save(device, state) {
      mkdirSync(dir, { recursive: true });
      const file = fileOf(device);
      writeFileSync(`${file}.tmp`, JSON.stringify(state), { mode: 0o600 });
      renameSync(`${file}.tmp`, file);
    },
  };
}
