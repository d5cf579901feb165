/**
 * The task engine: one priority queue (tinyqueue) ordered by due time, then priority, then insertion;
 * one clock timer armed for the earliest entry. Periodic tasks are fixed-rate (run k due at
 * start + k·period). The next run of a task is queued only when its current run has finished, so runs
 * never stack: slots that pass while a run is in flight are skipped and counted as overruns.
 */
import TinyQueue from 'tinyqueue';
import type { Clock, Timer } from '../core/clock.ts';
import { CancelledError, EgwError, describeError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { silentLogger } from '../core/logger.ts';
import type {
  OneShotTaskOptions,
  PeriodicTaskOptions,
  TaskContext,
  TaskEngine,
  TaskHandle,
  TaskKindStats,
  TaskObserver,
  TaskOptions,
} from './task.ts';
import { nextSlot, slotDueMs } from './fixed-rate.ts';
import { DEFAULT_STATS_WINDOW, TaskStats } from './task-stats.ts';

export interface SchedulerOptions {
  clock: Clock;
  logger?: Logger;
  observer?: TaskObserver;
  /** Runs per kind the lag and duration percentiles cover (default 1024). */
  statsWindow?: number;
}

/** Default priority; lower runs first among tasks due at the same time. */
export const DEFAULT_PRIORITY = 10;

interface Task {
  name: string;
  kind: string;
  priority: number;
  /** Insertion order, the last tie-breaker. */
  order: number;
  run: TaskOptions['run'];
  /** Periodic tasks only. */
  periodMs?: number;
  /** Monotonic time of run 0 (periodic) or of the single run (one-shot); undefined until placed. */
  baseMs?: number;
  /** Requested start (periodic) or delay (one-shot), resolved when the engine starts. */
  startAtMs?: number;
  delayMs?: number;
  /** Index of the next slot to run (periodic). */
  slot: number;
  dueMs: number;
  cancelled: boolean;
  /** A one-shot task that has run; its name is free again. */
  done: boolean;
  controller: AbortController;
  stats: TaskStats;
}

/** Fixed-rate scheduler implementing TaskEngine over an injected Clock. */
export class Scheduler implements TaskEngine {
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly observer: TaskObserver | undefined;
  private readonly statsWindow: number;
  private readonly queue = new TinyQueue<Task>(
    [],
    (a, b) => a.dueMs - b.dueMs || a.priority - b.priority || a.order - b.order,
  );
  /** Tasks registered before start(); placed on the timeline when the engine starts. */
  private readonly pending: Task[] = [];
  private readonly inFlight = new Map<Task, Promise<void>>();
  private readonly kinds = new Map<string, TaskStats>();
  private readonly names = new Set<string>();
  private timer: Timer | undefined;
  private timerDueMs = Infinity;
  private order = 0;
  /** True while fire() drains due entries; it re-arms once at the end instead of per task. */
  private inFiring = false;
  private state: 'idle' | 'running' | 'stopped' = 'idle';

  constructor(options: SchedulerOptions) {
    this.clock = options.clock;
    this.logger = options.logger ?? silentLogger();
    this.observer = options.observer;
    this.statsWindow = options.statsWindow ?? DEFAULT_STATS_WINDOW;
  }

  /** Registers a fixed-rate task: the k-th run is due at startAtMs + k·periodMs. */
  every(options: PeriodicTaskOptions): TaskHandle {
    if (!(options.periodMs > 0) || !Number.isFinite(options.periodMs)) {
      throw new RangeError(`task ${options.name}: periodMs ${options.periodMs} must be a positive number`);
    }
    const task = this.createTask(options);
    task.periodMs = options.periodMs;
    task.startAtMs = options.startAtMs;
    return this.register(task);
  }

  /** Registers a task that runs once, delayMs after registration (or after start(), if not started yet). */
  once(options: OneShotTaskOptions): TaskHandle {
    if (!(options.delayMs >= 0)) {
      throw new RangeError(`task ${options.name}: delayMs ${options.delayMs} must be ≥ 0`);
    }
    const task = this.createTask(options);
    task.delayMs = options.delayMs;
    return this.register(task);
  }

  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'running';
    for (const task of this.pending.splice(0)) this.place(task);
    this.arm();
  }

  async stop(deadlineMs: number): Promise<boolean> {
    this.state = 'stopped';
    this.timer?.cancel();
    this.timer = undefined;
    if (this.inFlight.size === 0) return true;
    let deadline: Timer | undefined;
    const expired = new Promise<false>((resolve) => {
      deadline = this.clock.setTimer('engine-stop-deadline', deadlineMs, () => resolve(false));
    });
    const drained = Promise.allSettled([...this.inFlight.values()]).then(() => true as const);
    const finished = await Promise.race([drained, expired]);
    deadline?.cancel();
    if (!finished) {
      const names = [...this.inFlight.keys()].map((t) => t.name);
      this.logger.warn(
        { tasks: names, deadlineMs },
        'engine stop: runs still in flight at the deadline, aborting',
      );
      for (const task of this.inFlight.keys()) {
        task.controller.abort(new CancelledError(`task ${task.name}: engine stopped`));
      }
    }
    return finished;
  }

  stats(): Record<string, TaskKindStats> {
    const out: Record<string, TaskKindStats> = {};
    for (const [kind, stats] of this.kinds) out[kind] = stats.snapshot();
    return out;
  }

  /** Names of tasks currently running (for debugging and stop diagnostics). */
  running(): string[] {
    return [...this.inFlight.keys()].map((t) => t.name);
  }

  private createTask(options: TaskOptions): Task {
    if (this.names.has(options.name))
      throw new EgwError('task_name_taken', `task ${options.name}: a task with this name exists`);
    const kind = options.kind ?? options.name;
    let stats = this.kinds.get(kind);
    if (!stats) {
      stats = new TaskStats(this.statsWindow);
      this.kinds.set(kind, stats);
    }
    return {
      name: options.name,
      kind,
      priority: options.priority ?? DEFAULT_PRIORITY,
      order: this.order++,
      run: options.run,
      slot: 0,
      dueMs: 0,
      cancelled: false,
      done: false,
      controller: new AbortController(),
      stats,
    };
  }

  private register(task: Task): TaskHandle {
    if (this.state === 'stopped') throw new CancelledError(`task ${task.name}: the engine is stopped`);
    this.names.add(task.name);
    if (this.state === 'idle') this.pending.push(task);
    else {
      this.place(task);
      this.arm();
    }
    return {
      name: task.name,
      cancel: () => this.cancel(task),
      get cancelled() {
        return task.cancelled;
      },
    };
  }

  /** Puts a newly started task on the timeline. */
  private place(task: Task): void {
    const now = this.clock.monotonicMs();
    if (task.periodMs !== undefined) {
      task.baseMs = task.startAtMs ?? now;
      task.slot = 0;
      task.dueMs = task.baseMs;
    } else {
      task.baseMs = now + (task.delayMs ?? 0);
      task.dueMs = task.baseMs;
    }
    this.queue.push(task);
  }

  private cancel(task: Task): void {
    if (task.cancelled || task.done) return;
    task.cancelled = true;
    this.names.delete(task.name);
    task.controller.abort(new CancelledError(`task ${task.name}: cancelled`));
    // A queued entry is dropped lazily when it reaches the top; the armed timer may fire for nothing.
  }

  /** Arms the one timer for the earliest live entry, if it is not armed for that time already. */
  private arm(): void {
    if (this.state !== 'running') return;
    while (this.queue.length > 0 && this.queue.peek()!.cancelled) this.queue.pop();
    const next = this.queue.peek();
    if (!next) {
      this.timer?.cancel();
      this.timer = undefined;
      this.timerDueMs = Infinity;
      return;
    }
    if (this.timer && this.timerDueMs <= next.dueMs) return;
    this.timer?.cancel();
    this.timerDueMs = next.dueMs;
    // Whole milliseconds: Node keeps one timer list per distinct delay, so fractional delays cost a
    // new list each time (about a quarter of the engine's CPU in bench/engine.bench.ts); timers have
    // millisecond resolution anyway.
    const delayMs = Math.max(0, Math.ceil(next.dueMs - this.clock.monotonicMs()));
    this.timer = this.clock.setTimer('engine', delayMs, () => this.fire());
  }

  private fire(): void {
    // A real timer may fire a fraction of a millisecond before the monotonic clock reaches its due
    // time; the entries it was armed for are due regardless.
    const now = Math.max(this.clock.monotonicMs(), this.timerDueMs);
    this.timer = undefined;
    this.timerDueMs = Infinity;
    this.inFiring = true;
    try {
      while (this.state === 'running' && this.queue.length > 0 && this.queue.peek()!.dueMs <= now) {
        const task = this.queue.pop()!;
        if (!task.cancelled) this.execute(task);
      }
    } finally {
      this.inFiring = false;
    }
    this.arm();
  }

  private execute(task: Task): void {
    const dueMs = task.dueMs;
    const startMs = this.clock.monotonicMs();
    const ctx: TaskContext = { dueMs, signal: task.controller.signal };
    let result: Promise<void> | void;
    try {
      result = task.run(ctx);
    } catch (error) {
      this.finish(task, dueMs, startMs, error);
      return;
    }
    // Synchronous tasks complete here, without a microtask hop, so virtual-clock tests can run
    // millions of ticks with advance(ms, false).
    if (!isThenable(result)) {
      this.finish(task, dueMs, startMs, undefined);
      return;
    }
    const done = Promise.resolve(result).then(
      () => this.finish(task, dueMs, startMs, undefined),
      (error: unknown) =>
        this.finish(
          task,
          dueMs,
          startMs,
          error ?? new EgwError('task_rejected', `task ${task.name}: rejected without a reason`),
        ),
    );
    this.inFlight.set(task, done);
  }

  private finish(task: Task, dueMs: number, startMs: number, error: unknown): void {
    this.inFlight.delete(task);
    const endMs = this.clock.monotonicMs();
    const lagMs = Math.max(0, startMs - dueMs);
    const durationMs = endMs - startMs;
    const failed = error !== undefined;
    task.stats.recordRun(lagMs, durationMs, failed);
    if (failed && !(task.cancelled || this.state === 'stopped')) {
      this.logger.warn({ task: task.name, kind: task.kind, err: describeError(error) }, 'task failed');
    }
    this.notify(() =>
      this.observer?.runFinished?.({ name: task.name, kind: task.kind, lagMs, durationMs, failed }),
    );
    if (task.periodMs === undefined) {
      if (!task.cancelled) this.names.delete(task.name);
      task.done = true;
      return;
    }
    if (task.cancelled || this.state === 'stopped') return;
    this.reschedule(task, startMs, endMs);
  }

  /** Queues the task's next slot on the grid (see nextSlot); the slots passed over count as overruns. */
  private reschedule(task: Task, startMs: number, endMs: number): void {
    const { slot, skipped } = nextSlot(task.baseMs!, task.periodMs!, task.slot, startMs, endMs);
    if (skipped > 0) {
      task.stats.recordOverruns(skipped);
      this.notify(() => {
        for (let i = 0; i < skipped; i++) this.observer?.overrun?.(task.kind, task.name);
      });
    }
    task.slot = slot;
    task.dueMs = slotDueMs(task.baseMs!, task.periodMs!, slot);
    task.order = this.order++;
    this.queue.push(task);
    if (!this.inFiring) this.arm();
  }

  private notify(fn: () => void): void {
    if (!this.observer) return;
    try {
      fn();
    } catch (error) {
      this.logger.warn({ err: describeError(error) }, 'task observer failed');
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<void> {
  return (
    typeof value === 'object' && value !== null && typeof (value as PromiseLike<void>).then === 'function'
  );
}
