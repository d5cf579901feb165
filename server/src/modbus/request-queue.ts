/**
 * A FIFO of async jobs run strictly one at a time. A Modbus connection puts every request through
 * one queue so concurrent callers never interleave frames on the wire: the next request is written
 * only after the previous one was answered, failed or timed out.
 */
import { TransportError } from '../core/errors.ts';

interface Job {
  run: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/** Runs jobs one at a time in arrival order; a job whose signal aborts while waiting is dropped. */
export class RequestQueue {
  private readonly waiting: Job[] = [];
  private running = false;

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

  /** Queues a job; resolves or rejects with its outcome. */
  push<T>(run: () => Promise<T>, signal?: AbortSignal): Promise<T> {
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

  private pump(): void {
    if (this.running) return;
    const job = this.waiting.shift();
    if (!job) return;
    if (job.onAbort) job.signal?.removeEventListener('abort', job.onAbort);
    this.running = true;
    let outcome: Promise<unknown>;
    try {
      outcome = job.run();
    } catch (error) {
      outcome = Promise.reject(error);
    }
    outcome.then(job.resolve, job.reject).finally(() => {
      this.running = false;
      this.pump();
    });
  }
}
