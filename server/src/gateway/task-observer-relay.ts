/**
 * Lets the composition root hand the Scheduler an observer before the metrics that implement it exist:
 * main.ts creates the relay and the Scheduler with it; buildGateway points it at the API metrics.
 */
import type { TaskObserver, TaskRunReport } from '../engine/task.ts';

/** A TaskObserver that forwards to `target` once set (and drops reports until then). */
export class TaskObserverRelay implements TaskObserver {
  /** Where reports go; set by the gateway when its metrics exist. */
  target: TaskObserver | undefined;

  runFinished(report: TaskRunReport): void {
    this.target?.runFinished?.(report);
  }

  overrun(kind: string, name: string): void {
    this.target?.overrun?.(kind, name);
  }
}
