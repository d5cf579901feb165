/** Parses advertising or scan-response data into its AD structures (what a phone's scanner does). */

/** One AD structure. */
export interface AdStructure {
  type: number;
  data: Buffer;
}

/** The AD structures of a payload; throws on a length that runs past the end (malformed data). */
export function parseAdStructures(payload: Buffer): AdStructure[] {
  const found: AdStructure[] = [];
  for (let at = 0; at < payload.length;) {
    const length = payload.readUInt8(at);
    if (length === 0) break; // the rest is padding
    if (at + 1 + length > payload.length) throw new RangeError(`AD structure at ${at} runs past the end`);
    found.push({ type: payload.readUInt8(at + 1), data: payload.subarray(at + 2, at + 1 + length) });
    at += 1 + length;
  }
  return found;
}
