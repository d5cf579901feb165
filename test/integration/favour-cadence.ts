/**
 * For tests that count a real-time cadence (10 Hz slots, samples per harvest): gives the process that
 * keeps it the priority scripts/run-tests.mjs names in EGW_TEST_CADENCE_NICE, above the test files
 * that run beside it. With several files side by side on 2 cores a 10 Hz loop would otherwise be
 * starved by its neighbours now and then, and the test would measure them, not the gateway.
 */
import { setPriority } from 'node:os';

/** Raises `pid`'s priority (default: this process) where permitted; a no-op outside run-tests.mjs. */
export function favourCadence(pid: number | undefined = process.pid): void {
  const nice = process.env.EGW_TEST_CADENCE_NICE;
  if (nice === undefined || pid === undefined) return;
  try {
    setPriority(pid, Number(nice));
  } catch {
    // Raising a priority needs root (CI runs as root); otherwise the cadence competes with the suite.
  }
}
