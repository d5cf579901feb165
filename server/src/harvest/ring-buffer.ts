/** A fixed-capacity ring buffer: the newest `capacity` items, oldest first. No allocation per push. */
export class RingBuffer<T> {
  private readonly items: (T | undefined)[];
  private next = 0;
  private size = 0;

  readonly capacity: number;
  /** @param capacity how many items are kept (≥ 1); older ones are overwritten. */
  constructor(capacity: number) {
    this.capacity = capacity;
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`ring buffer capacity ${capacity}: must be an integer ≥ 1`);
    }
    this.items = new Array<T | undefined>(capacity);
  }

  /** Number of items held. */
  get length(): number {
    return this.size;
  }

  /** Appends an item, overwriting the oldest when full. */
  push(item: T): void {
    this.items[this.next] = item;
    this.next = (this.next + 1) % this.capacity;
    if (this.size < this.capacity) this.size++;
  }

  /** The newest `limit` items (default all), oldest first. */
  toArray(limit = this.size): T[] {
    const count = Math.max(0, Math.min(limit, this.size));
    const out: T[] = [];
    for (let i = count; i > 0; i--) {
      out.push(this.items[(this.next - i + this.capacity) % this.capacity] as T);
    }
    return out;
  }

  /** Drops every item. */
  clear(): void {
    this.items.fill(undefined);
    this.next = 0;
    this.size = 0;
  }
}
