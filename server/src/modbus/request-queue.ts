/**
 * A FIFO of async jobs run strictly one at a time. A Modbus connection puts every request through
 * one queue so concurrent callers never interleave frames on the wire: the next request is written
 * only after the previous one was answered, failed or timed out.
 *
 * Low-priority jobs (reads of other clients through the proxy) run only when no normal job waits and
 * the gate says there is room before the device's next sampling slot; kick() re-checks the gate.
 */
import { TransportError } from '../core/errors.ts';

interface Job {
  run: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  low: boolean;
}

/** Runs jobs one at a time in arrival order; a job whose signal aborts while waiting is dropped. */
export class RequestQueue {
  private readonly waiting: Job[] = [];
  private running = false;
  private runningLow = false;
  /** Normal jobs that arrived while a low-priority job was on the wire (and so waited for it). */
  delayedByLow = 0;
  /** Whether a low-priority job may start now (default: always). */
  lowGate: () => boolean = () => true;

  private readonly name: string;
  private readonly maxWaiting;
  /** @param maxWaiting jobs allowed to wait behind the running one before push() refuses (backpressure). */
  constructor(name: string, maxWaiting = 1000) {
    this.name = name;
    this.maxWaiting = maxWaiting;
  }

  /** Jobs waiting (not counting the one running). */
  get depth(): number {
    return this.waiting.length;
  }

  /** Whether a job is running. */
  get busy(): boolean {
    return this.running;
  }

  /** Low-priority jobs waiting. */
  get lowDepth(): number {
    return this.waiting.filter((job) => job.low).length;
  }

  /** Queues a job; resolves or rejects with its outcome. `low` jobs yield to every normal one. */
  push<T>(run: () => Promise<T>, signal?: AbortSignal, low = false): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.waiting.length >= this.maxWaiting) {
      return Promise.reject(
        new TransportError(
          `${this.name}: ${this.waiting.length} requests already waiting (limit ${this.maxWaiting})`,
        ),
      );
    }
    return new Promise<T>((resolve, reject) => {
      const job: Job = {
        run,
        resolve: resolve as (value: unknown) => void,
        reject,
        signal,
        onAbort: undefined,
        low,
      };
      if (signal) {
        job.onAbort = () => {
          const index = this.waiting.indexOf(job);
          if (index >= 0) {
            this.waiting.splice(index, 1);
            reject(signal.reason);
          }
        };
        signal.addEventListener('abort', job.onAbort, { once: true });
      }
      if (!low && this.runningLow) this.delayedByLow++;
      this.waiting.push(job);
      this.pump();
    });
  }

  /** Rejects every waiting job (the running one finishes on its own). */
  rejectWaiting(error: unknown): void {
    for (const job of this.waiting.splice(0)) {
      if (job.onAbort) job.signal?.removeEventListener('abort', job.onAbort);
      job.reject(error);
    }
  }

  /** Starts the next job if the queue is idle (after the low-priority gate may have opened). */
  kick(): void {
    this.pump();
  }

  private pump(): void {
    if (this.running) return;
    let index = this.waiting.findIndex((job) => !job.low);
    if (index < 0 && this.waiting.length > 0 && this.lowGate()) index = 0;
    if (index < 0) return;
    const job = this.waiting.splice(index, 1)[0]!;
    if (job.onAbort) job.signal?.removeEventListener('abort', job.onAbort);
    this.running = true;
    this.runningLow = job.low;
    let outcome: Promise<unknown>;
    try {
      outcome = job.run();
    } catch (error) {
      outcome = Promise.reject(error);
    }
    outcome.then(job.resolve, job.reject).finally(() => {
      this.running = false;
      this.runningLow = false;
      this.pump();
    });
  }
}
