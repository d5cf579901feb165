/**
 * Packs harvests into signed batches. Batches are per device (the JWT header carries one `model`, the
 * device's profile id, and the payload is keyed by harvest timestamp, which only one device makes
 * unique). The outbox assigns `seq` (one counter per gateway, persisted) and signs inside its insert
 * transaction, so a seq is never burnt or reused. A batch is sealed when it holds `batchSize` harvests
 * or its first harvest is `batchMaxAgeMs` old.
 */
import type { Clock } from '../core/clock.ts';
import { describeError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Reading } from '../core/reading.ts';
import type { TaskEngine, TaskHandle } from '../engine/task.ts';
import type { BatchInput } from '../identity/batch-jwt.ts';

/**
 * Where sealed batches go: the outbox, which assigns the seq, signs and commits (or, when the disk
 * refuses, holds the batch in memory and commits it in order later). It throws only for a batch it can
 * never take. Whoever commits tells the bus ('batch'), so nobody hears of a batch before its commit.
 */
export interface BatchSink {
  append(input: BatchInput): unknown;
}

/** Batch sizing, read at every harvest so API changes apply at once. */
export interface BatchLimits {
  batchSize: number;
  batchMaxAgeMs: number;
}

export interface BatcherOptions {
  sink: BatchSink;
  clock: Clock;
  logger: Logger;
  limits: () => BatchLimits;
  /** Harvests kept per device while the outbox refuses batches; oldest dropped beyond it (default 3600). */
  maxPendingPerDevice?: number;
}

interface OpenBatch {
  profile: string;
  openedAtMs: number;
  harvests: Reading[];
}

/** Collects harvests per device and seals them into signed batches. */
export class Batcher {
  private readonly open = new Map<string, OpenBatch>();
  private task: TaskHandle | undefined;
  /** Harvests dropped because the outbox kept failing (reported in logs and stats). */
  private readonly options: BatcherOptions;
  dropped = 0;

  constructor(options: BatcherOptions) {
    this.options = options;
  }

  /** Adds one harvest; seals the device's batch when it is full. */
  add(reading: Reading): void {
    let batch = this.open.get(reading.device);
    if (!batch) {
      batch = { profile: reading.profile, openedAtMs: this.options.clock.monotonicMs(), harvests: [] };
      this.open.set(reading.device, batch);
    }
    batch.harvests.push(reading);
    const max = this.options.maxPendingPerDevice ?? 3600;
    if (batch.harvests.length > max) {
      this.dropped += batch.harvests.length - max;
      batch.harvests.splice(0, batch.harvests.length - max);
    }
    if (batch.harvests.length >= this.options.limits().batchSize) this.seal(reading.device);
  }

  /** Seals every batch older than batchMaxAgeMs. */
  sweep(): void {
    const now = this.options.clock.monotonicMs();
    const { batchMaxAgeMs } = this.options.limits();
    for (const [device, batch] of [...this.open]) {
      if (now - batch.openedAtMs >= batchMaxAgeMs) this.seal(device);
    }
  }

  /** Seals every partial batch (on shutdown). */
  flush(): void {
    for (const device of [...this.open.keys()]) this.seal(device);
  }

  /** Harvests waiting in open batches. */
  pending(): number {
    let count = 0;
    for (const batch of this.open.values()) count += batch.harvests.length;
    return count;
  }

  /** Registers the age sweep on the engine (every 500 ms). */
  start(engine: TaskEngine): void {
    this.task ??= engine.every({ name: 'batch:seal', kind: 'batch', periodMs: 500, run: () => this.sweep() });
  }

  /** Cancels the sweep; call flush() to seal what is open. */
  stop(): void {
    this.task?.cancel();
    this.task = undefined;
  }

  /** Signs and commits one device's open batch; on failure keeps it open for the next try. */
  private seal(device: string): void {
    const batch = this.open.get(device);
    if (!batch || batch.harvests.length === 0) return;
    const { sink, logger } = this.options;
    // Payload keys are timestamps; a wall clock stepped backwards could repeat one.
    const seen = new Set<number>();
    const harvests = batch.harvests.map((reading) => {
      let ts = reading.ts;
      while (seen.has(ts)) ts++;
      seen.add(ts);
      return ts === reading.ts ? reading : { ...reading, ts };
    });
    try {
      sink.append({ model: batch.profile, harvests });
      this.open.delete(device);
    } catch (error) {
      logger.error({ device, err: describeError(error) }, 'could not commit batch; keeping it open');
    }
  }
}
