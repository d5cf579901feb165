/**
 * Log levels per part at run time (GET/POST /api/logger): a part — an area (`engine`, `modbus`,
 * `uplink`, `api`, …) or one device — gets a level for a while and then reverts to the configured one
 * on the injected clock. Every child logger made from the root is registered (pino's onChild, inherited
 * by grandchildren) so a change reaches loggers that already exist; a part's level is the most verbose
 * override whose area or device matches the logger's bindings.
 */
import type { Logger, LevelWithSilent } from 'pino';
import type { Clock, Timer } from './clock.ts';

/** What a level override applies to: an area, or one device (any area). */
export interface LogPart {
  area?: string;
  device?: string;
}

/** One run-time override. */
export interface LogOverride extends LogPart {
  level: LevelWithSilent;
  /** Wall-clock ms when it reverts. */
  until: number;
}

interface Entry {
  override: LogOverride;
  timer: Timer;
}

const keyOf = (part: LogPart): string => `${part.area ?? ''}\u001f${part.device ?? ''}`;

/** Run-time log levels for the loggers made from one root. */
export class LogLevels {
  /** The configured level every part reverts to. */
  readonly configured: LevelWithSilent;
  private readonly root: Logger;
  private readonly clock: Clock;
  private readonly children = new Set<WeakRef<Logger>>();
  private readonly overrides = new Map<string, Entry>();

  constructor(root: Logger, clock: Clock) {
    this.root = root;
    this.clock = clock;
    this.configured = root.level as LevelWithSilent;
    root.onChild = (child: Logger) => {
      this.children.add(new WeakRef(child));
      this.apply(child);
    };
  }

  /** Sets a part's level for durationMs, then it reverts; returns the override. */
  set(part: LogPart, level: LevelWithSilent, durationMs: number): LogOverride {
    const key = keyOf(part);
    this.overrides.get(key)?.timer.cancel();
    const override: LogOverride = { ...part, level, until: this.clock.nowMs() + durationMs };
    const timer = this.clock.setTimer(`log-level-revert:${key}`, durationMs, () => this.reset(part));
    this.overrides.set(key, { override, timer });
    this.applyAll();
    return { ...override };
  }

  /** Reverts a part to the configured level now; returns whether it had an override. */
  reset(part: LogPart): boolean {
    const key = keyOf(part);
    const entry = this.overrides.get(key);
    if (!entry) return false;
    entry.timer.cancel();
    this.overrides.delete(key);
    this.applyAll();
    return true;
  }

  /** The overrides in force. */
  list(): LogOverride[] {
    return [...this.overrides.values()].map((e) => ({ ...e.override }));
  }

  /** The level a logger with these bindings logs at now. */
  levelFor(bindings: LogPart): LevelWithSilent {
    let best: LevelWithSilent | undefined;
    for (const { override } of this.overrides.values()) {
      const matches =
        (override.area === undefined || override.area === bindings.area) &&
        (override.device === undefined || override.device === bindings.device);
      if (matches && (best === undefined || this.value(override.level) < this.value(best))) {
        best = override.level;
      }
    }
    return best ?? this.configured;
  }

  /** Cancels the revert timers (the levels stay). */
  stop(): void {
    for (const entry of this.overrides.values()) entry.timer.cancel();
  }

  private value(level: LevelWithSilent): number {
    return level === 'silent' ? Infinity : this.root.levels.values[level]!;
  }

  private apply(child: Logger): void {
    const level = this.levelFor(child.bindings() as LogPart);
    if (child.level !== level) child.level = level;
  }

  private applyAll(): void {
    for (const ref of [...this.children]) {
      const child = ref.deref();
      if (child) this.apply(child);
      else this.children.delete(ref);
    }
  }
}
