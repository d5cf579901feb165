/**
 * The registers of a device's latest polls, so a proxy can answer other clients from them: for each
 * (unit, function) the blocks read most recently, with when they were read. A read is served only
 * when one block covers it entirely and is young enough; values are never stitched across polls.
 */

/** One polled block. */
interface CachedBlock {
  address: number;
  values: readonly number[];
  /** Monotonic ms when the reply arrived. */
  atMs: number;
}

/** A hit: the registers asked for and how old the poll is. */
export interface CacheHit {
  values: number[];
  ageMs: number;
}

/** Latest polled blocks per unit and function code. */
export class RegisterCache {
  private readonly blocks = new Map<string, CachedBlock[]>();
  private readonly maxBlocks: number;

  /** @param maxBlocks blocks kept per unit and function (the newest replace older ones at the same address). */
  constructor(maxBlocks = 32) {
    this.maxBlocks = maxBlocks;
  }

  /** Records a reply: `values` start at `address`. */
  record(unit: number, fc: 3 | 4, address: number, values: readonly number[], atMs: number): void {
    const key = `${unit}:${fc}`;
    const list = (this.blocks.get(key) ?? []).filter(
      (b) => !(b.address === address && b.values.length === values.length),
    );
    list.unshift({ address, values: [...values], atMs });
    if (list.length > this.maxBlocks) list.length = this.maxBlocks;
    this.blocks.set(key, list);
  }

  /** The newest block covering [address, address + count) no older than maxAgeMs, else undefined. */
  lookup(
    unit: number,
    fc: 3 | 4,
    address: number,
    count: number,
    maxAgeMs: number,
    nowMs: number,
  ): CacheHit | undefined {
    let best: CachedBlock | undefined;
    for (const block of this.blocks.get(`${unit}:${fc}`) ?? []) {
      const covers = block.address <= address && address + count <= block.address + block.values.length;
      if (covers && nowMs - block.atMs <= maxAgeMs && (!best || block.atMs > best.atMs)) best = block;
    }
    if (!best) return undefined;
    const offset = address - best.address;
    return { values: best.values.slice(offset, offset + count), ageMs: nowMs - best.atMs };
  }
}
