/**
 * The observability module: the metrics (registry, task and Modbus observers) are built before
 * everything else, so the Scheduler and the device readers report to them from their first run; once
 * started, the metrics also read the other modules at scrape time and listen to the bus.
 */
import type { Feature } from '../core/feature.ts';
import type { GatewayMetrics, MetricsSources } from './metrics.ts';

export class Observability implements Feature {
  readonly name = 'observability';
  readonly metrics: GatewayMetrics;
  private readonly sources: MetricsSources;
  private unwatch: (() => void) | undefined;

  constructor(metrics: GatewayMetrics, sources: MetricsSources) {
    this.metrics = metrics;
    this.sources = sources;
  }

  start(): void {
    this.unwatch = this.metrics.watch(this.sources);
  }

  stop(): void {
    this.unwatch?.();
    this.unwatch = undefined;
  }
}
