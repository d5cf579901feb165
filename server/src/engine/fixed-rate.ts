/**
 * Fixed-rate slot arithmetic: run k of a periodic task is due at baseMs + k·periodMs, always computed
 * from k (never by adding periods up), so the cadence cannot drift.
 */

/**
 * The slot to run after `slot` finished: the first one due at or after the run ended and after it
 * started (a run that started late is not followed by a second run at the same instant). Returns
 * the slot and how many slots were passed over (overruns).
 */
export function nextSlot(
  baseMs: number,
  periodMs: number,
  slot: number,
  startMs: number,
  endMs: number,
): { slot: number; skipped: number } {
  let next = Math.max(slot + 1, Math.ceil((endMs - baseMs) / periodMs));
  // Also guards against float rounding putting the computed slot a hair before the end.
  while (baseMs + next * periodMs < endMs || baseMs + next * periodMs <= startMs) next++;
  return { slot: next, skipped: next - slot - 1 };
}

/** Due time of slot k, ms. */
export function slotDueMs(baseMs: number, periodMs: number, slot: number): number {
  return baseMs + slot * periodMs;
}
