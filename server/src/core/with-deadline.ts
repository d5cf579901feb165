/**
 * Races a promise against a named clock timer and an optional abort signal. Used for Modbus request
 * timeouts so that tests can drive them with a ManualClock.
 */
import type { Clock } from './clock.ts';

export interface DeadlineOptions {
  timeoutMs: number;
  /** The error to reject with when the time is up. */
  onTimeout: () => Error;
  signal?: AbortSignal;
  /** Called when the signal aborts first (before rejecting with its reason). */
  onAbort?: () => void;
}

/** Resolves or rejects like `work`, unless the timer fires or the signal aborts first. */
export function withDeadline<T>(
  clock: Clock,
  name: string,
  work: Promise<T>,
  options: DeadlineOptions,
): Promise<T> {
  const { signal } = options;
  return new Promise<T>((resolve, reject) => {
    if (signal?.aborted) {
      options.onAbort?.();
      return reject(signal.reason);
    }
    const onAbort = (): void => {
      timer.cancel();
      options.onAbort?.();
      reject(signal?.reason);
    };
    const timer = clock.setTimer(name, options.timeoutMs, () => {
      signal?.removeEventListener('abort', onAbort);
      reject(options.onTimeout());
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        timer.cancel();
        signal?.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        timer.cancel();
        signal?.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
