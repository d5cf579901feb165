/**
 * Whether the wall clock can be trusted. A box without a real-time clock boots in the past (1970, or
 * the time fake-hwclock saved) until NTP corrects it; readings stamped then are wrong. Two signs, both
 * cheap: a wall clock before the earliest plausible date is never synchronised; and where the system
 * leaves a marker once NTP synchronised (systemd-timesyncd: /run/systemd/timesync/synchronized), a
 * missing marker means not yet. Containers cannot see the host's NTP state, so the marker is opt-in.
 */
import { access } from 'node:fs/promises';

/** No wall clock before this is synchronised: 2025-01-01T00:00:00Z, before this software existed. */
export const EARLIEST_PLAUSIBLE_MS = Date.UTC(2025, 0, 1);

/** Why the clock is not synchronised, or undefined when nothing says so. */
export async function clockUnsynchronisedReason(
  nowMs: number,
  syncedFile?: string,
): Promise<string | undefined> {
  if (nowMs < EARLIEST_PLAUSIBLE_MS) {
    return `wall clock reads ${new Date(nowMs).toISOString()}, before ${new Date(EARLIEST_PLAUSIBLE_MS).toISOString()}: not synchronised`;
  }
  if (syncedFile === undefined) return undefined;
  try {
    await access(syncedFile);
    return undefined;
  } catch {
    return `no NTP synchronisation yet (${syncedFile} is missing)`;
  }
}
