/**
 * Drives a gateway that runs on a ManualClock while its sockets are real: time moves in small steps
 * with a real pause between them so replies can arrive; until() waits for a condition in gateway time.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ManualClock } from '../../../server/src/core/clock.ts';

/** Helpers bound to one clock. */
export function clockDriver(clock: ManualClock) {
  const advance = async (ms: number, stepMs = 250): Promise<void> => {
    for (let done = 0; done < ms; done += stepMs) {
      await clock.advance(stepMs);
      await sleep(1);
    }
  };
  return {
    advance,
    /** Advances until `holds()` (at most maxMs of gateway time, in stepMs steps); fails naming `what`. */
    async until(what: string, holds: () => boolean, maxMs = 60_000, stepMs = 250): Promise<void> {
      for (let t = 0; t <= maxMs && !holds(); t += stepMs) await advance(stepMs, stepMs);
      assert.ok(holds(), `${what} within ${maxMs} ms of gateway time`);
    },
    /** Runs stop() while the clock keeps moving (final delivery and MQTT goodbye wait on it). */
    async stopWhileAdvancing(stop: () => Promise<void>): Promise<void> {
      let stopped = false;
      const stopping = stop().finally(() => (stopped = true));
      for (let i = 0; i < 400 && !stopped; i++) await advance(50, 50);
      await stopping;
    },
  };
}
