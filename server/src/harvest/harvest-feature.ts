/**
 * The harvest module: the batcher that collects the devices' harvests and seals them into signed
 * batches (its age sweep runs on the engine). Stopped after the devices drained, it seals what is
 * still open, so the delivery module (stopped next) can still send it.
 */
import type { Feature } from '../core/feature.ts';
import type { Reading } from '../core/reading.ts';
import type { TaskEngine } from '../engine/task.ts';
import type { Batcher } from './batcher.ts';

export class HarvestFeature implements Feature {
  readonly name = 'harvest';
  private readonly batcher: Batcher;
  private readonly engine: TaskEngine;

  constructor(batcher: Batcher, engine: TaskEngine) {
    this.batcher = batcher;
    this.engine = engine;
  }

  /** One harvest reading of a device (called by the device pipelines). */
  add(reading: Reading): void {
    this.batcher.add(reading);
  }

  start(): void {
    this.batcher.start(this.engine);
  }

  /** Cancels the sweep and seals the partial batches. */
  stop(): void {
    this.batcher.stop();
    this.batcher.flush();
  }
}
