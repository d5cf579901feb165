/**
 * Batches the outbox could not store (disk full, I/O error), kept in memory in arrival order until
 * the disk accepts them again. Bounded: beyond `max`, the oldest are dropped and counted.
 */
import type { BatchInput } from '../identity/batch-jwt.ts';

/** An in-memory FIFO of unsigned batch inputs waiting for storage. */
export class OutboxHeld {
  private readonly items: BatchInput[] = [];
  /** Inputs dropped because the queue was full. */
  private readonly max: number;
  dropped = 0;

  constructor(max: number) {
    this.max = max;
  }

  get size(): number {
    return this.items.length;
  }

  push(input: BatchInput): void {
    this.items.push(input);
    while (this.items.length > this.max) {
      this.items.shift();
      this.dropped++;
    }
  }

  peek(): BatchInput | undefined {
    return this.items[0];
  }

  shift(): void {
    this.items.shift();
  }
}
