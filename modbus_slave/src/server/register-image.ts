/**
 * The registers a simulated unit serves, keyed by wire address (0-based, as on the wire). Same shape
 * as the profile encoder's output, so an encoded reading can be served as is.
 */

/** Holding (function 3/6/16) and input (function 4) registers, wire address → 16-bit value. */
export interface RegisterImage {
  holding: Map<number, number>;
  input: Map<number, number>;
}

/** An empty image. */
export function emptyImage(): RegisterImage {
  return { holding: new Map(), input: new Map() };
}

/** The register table a function code reads or writes. */
export function tableFor(image: RegisterImage, functionCode: number): Map<number, number> {
  return functionCode === 4 ? image.input : image.holding;
}

/**
 * Makes every register in [start, start + count) readable, as zero where nothing is encoded, so a
 * profile's block reads succeed even over reserved registers (real devices answer those with 0).
 */
export function fillRange(table: Map<number, number>, start: number, count: number): void {
  for (let address = start; address < start + count && address <= 0xffff; address++) {
    if (!table.has(address)) table.set(address, 0);
  }
}

/** Contiguous address ranges of a table, e.g. "30000-30024, 32016-32023", for logs. */
export function describeRanges(table: Map<number, number>): string {
  const addresses = [...table.keys()].sort((a, b) => a - b);
  const ranges: string[] = [];
  let start = addresses[0];
  for (let i = 1; i <= addresses.length; i++) {
    if (addresses[i] !== addresses[i - 1]! + 1) {
      ranges.push(start === addresses[i - 1] ? `${start}` : `${start}-${addresses[i - 1]}`);
      start = addresses[i];
    }
  }
  return ranges.join(', ');
}
