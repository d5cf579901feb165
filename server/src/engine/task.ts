/**
 * The task engine's public contract. Implemented by Scheduler (scheduler.ts); consumed by devices,
 * harvests, uplinks and housekeeping.
 */

/** What a running task is handed. */
export interface TaskContext {
  /** Monotonic time (ms) the run was due. */
  readonly dueMs: number;
  /** Aborted when the task is cancelled or the engine stops past its deadline. */
  readonly signal: AbortSignal;
}

export interface TaskOptions {
  /** Unique, human-readable name, e.g. "frequency:inv1"; shows in logs and statistics. */
  name: string;
  /** Statistics are kept per kind, e.g. "frequency", "harvest", "upload". Defaults to the name. */
  kind?: string;
  /** Lower runs first among tasks due at the same time (default 10). */
  priority?: number;
  run: (ctx: TaskContext) => Promise<void> | void;
}

export interface PeriodicTaskOptions extends TaskOptions {
  /** Fixed rate: the k-th run is due at start + k·periodMs. */
  periodMs: number;
  /** Monotonic time of run 0 (default: now). */
  startAtMs?: number;
}

export interface OneShotTaskOptions extends TaskOptions {
  delayMs: number;
}

export interface TaskHandle {
  readonly name: string;
  /** Stops future runs; a run in flight gets its signal aborted. */
  cancel(): void;
  readonly cancelled: boolean;
}

/** Percentiles over a sliding window of recent runs, ms. */
export interface Distribution {
  p50: number;
  p99: number;
  max: number;
}

/** Per-kind statistics served by the API and /metrics. */
export interface TaskKindStats {
  runs: number;
  failures: number;
  overruns: number;
  /** Actual start − due time, ms. */
  lagMs: Distribution;
  durationMs: Distribution;
}

/** One finished run, reported to an optional observer (e.g. Prometheus histograms). */
export interface TaskRunReport {
  name: string;
  kind: string;
  lagMs: number;
  durationMs: number;
  failed: boolean;
}

/** Hooks the engine calls; metrics adapters implement them. */
export interface TaskObserver {
  runFinished?(report: TaskRunReport): void;
  overrun?(kind: string, name: string): void;
}

export interface TaskEngine {
  every(options: PeriodicTaskOptions): TaskHandle;
  once(options: OneShotTaskOptions): TaskHandle;
  start(): void;
  /** Stops scheduling, waits for in-flight runs up to deadlineMs, then aborts them. True if all finished. */
  stop(deadlineMs: number): Promise<boolean>;
  stats(): Record<string, TaskKindStats>;
}
