/**
 * A condition that must hold for a while before it is worth a notification: a device failing for
 * over a minute, an uplink retrying for over 5 minutes. hold() arms a named timer per subject on the
 * injected clock; release() cancels it and clears what was raised.
 */
import type { Clock, Timer } from '../core/clock.ts';

export interface HeldConditionOptions {
  clock: Clock;
  /** Timer names are `<name>:<subject>`. */
  name: string;
  /** How long the condition must hold, ms. */
  afterMs: number;
  /** Called once when a subject's condition has held for afterMs. */
  raise(subject: string): void;
  /** Called when a subject is released (whether or not it was raised). */
  clear(subject: string): void;
}

/** Per-subject "held for afterMs" timers. */
export class HeldCondition {
  private readonly options: HeldConditionOptions;
  private readonly timers = new Map<string, Timer>();

  constructor(options: HeldConditionOptions) {
    this.options = options;
  }

  /** The condition holds for this subject (from now, unless it already held). */
  hold(subject: string): void {
    if (this.timers.has(subject)) return;
    const { clock, name, afterMs } = this.options;
    this.timers.set(
      subject,
      clock.setTimer(`${name}:${subject}`, afterMs, () => this.options.raise(subject)),
    );
  }

  /** The condition ended for this subject (or the subject is gone). */
  release(subject: string): void {
    this.timers.get(subject)?.cancel();
    this.timers.delete(subject);
    this.options.clear(subject);
  }

  /** Releases every subject not in `present`. */
  keepOnly(present: Iterable<string>): void {
    const keep = new Set(present);
    for (const subject of [...this.timers.keys()]) if (!keep.has(subject)) this.release(subject);
  }

  /** Subjects whose condition holds now. */
  subjects(): string[] {
    return [...this.timers.keys()];
  }

  /** Cancels every timer (nothing is cleared). */
  stop(): void {
    for (const timer of this.timers.values()) timer.cancel();
    this.timers.clear();
  }
}
