/**
 * Raw register captures of reads that failed to decode or did not fit the profile, kept so an
 * unknown or misbehaving device can be analysed later (API, logs) instead of crashing anything.
 * Bounded: the oldest capture is dropped first.
 */
import { copyCapture, type RegisterCapture } from '../profiles/register-capture.ts';

export type { RegisterCapture };

/** The last `limit` captures, oldest first. */
export class CaptureRing {
  private readonly items: RegisterCapture[] = [];
  /** Captures ever taken (including dropped ones). */
  private readonly limit;
  total = 0;

  constructor(limit = 20) {
    this.limit = limit;
  }

  add(capture: RegisterCapture): void {
    this.items.push(capture);
    this.total += 1;
    if (this.items.length > this.limit) this.items.shift();
  }

  /** Copies of the kept captures, oldest first. */
  list(): RegisterCapture[] {
    return this.items.map(copyCapture);
  }

  get size(): number {
    return this.items.length;
  }
}
