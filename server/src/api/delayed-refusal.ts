/**
 * Refusals under load (503 of load shedding, 429 of the per-client limit) are sent after a short pause.
 * An instant refusal is cheap, but a client that ignores Retry-After would simply ask again at once and
 * keep the event loop just as busy; the pause bounds each connection to a few requests per second
 * while costing only a timer. At most `maxDelayed` refusals wait at once; beyond that they go at once.
 */
import type { Context } from 'koa';
import type { Clock } from '../core/clock.ts';
import type { ErrorBody } from './error-handler.ts';

/** A refusal is sent after this pause, ms. */
export const REFUSAL_DELAY_MS = 250;
/** At most this many refusals wait at once. */
export const MAX_DELAYED = 1024;

/** Sends refusals after REFUSAL_DELAY_MS, with a bound on how many wait. */
export class DelayedRefusal {
  private delayed = 0;
  private readonly clock: Clock;
  private readonly timerName: string;

  constructor(clock: Clock, timerName: string) {
    this.clock = clock;
    this.timerName = timerName;
  }

  /** Waits (unless too many already wait), then sets status, Retry-After and the error body. */
  async refuse(ctx: Context, status: number, retryAfterS: number, body: ErrorBody): Promise<void> {
    if (this.delayed < MAX_DELAYED) {
      this.delayed++;
      try {
        await this.clock.sleep(REFUSAL_DELAY_MS, this.timerName);
      } finally {
        this.delayed--;
      }
    }
    ctx.status = status;
    ctx.set('Retry-After', String(retryAfterS));
    ctx.body = body;
  }
}
