/**
 * Paces the pages of every GET /api/harvests answer together, on the clock: at most PAGES_PER_S pages
 * a second over all clients (~11 MB/s of batches of ten full readings). Streaming in small pages keeps
 * each turn of the event loop short; the pace bounds how many turns the API takes in all, so a flood
 * of large answers costs the gateway a few % of a core, not 40 %, whatever the number of requests —
 * on a shared 2-core box the CPU the gateway does not burn is what keeps its timers on time.
 */
import { flushAsync, type Clock } from '../../core/clock.ts';

/** Pages a second over all answers. */
export const PAGES_PER_S = 100;

/** Hands out page slots spaced 1000 / perSecond ms apart. */
export class PagePacer {
  private nextMs = -Infinity;
  private readonly clock: Clock;
  private readonly intervalMs: number;

  constructor(clock: Clock, perSecond = PAGES_PER_S) {
    this.clock = clock;
    this.intervalMs = 1000 / perSecond;
  }

  /** Resolves when the next page may be produced (at once, one event-loop turn later, if a slot is free). */
  wait(): Promise<void> {
    const now = this.clock.monotonicMs();
    const at = Math.max(now, this.nextMs);
    this.nextMs = at + this.intervalMs;
    return at <= now ? flushAsync() : this.clock.sleep(at - now, 'harvests-page');
  }
}
