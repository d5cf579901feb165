/** What the outbox keeps and reports: one signed batch, and the outbox's counters. */

/** One signed batch as kept in the outbox. */
export interface BatchRecord {
  seq: number;
  createdAt: number;
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  jwt: string;
  /** Uplinks that acknowledged it so far. */
  ackedBy: string[];
}

export interface OutboxStats {
  depth: number;
  bytes: number;
  /** Age of the oldest undelivered batch, ms (absent when empty). */
  oldestAgeMs?: number;
  dropped: number;
  lastSeq: number;
}
