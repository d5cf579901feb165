/**
 * Prometheus metrics of the gateway (prom-client, own Registry). Engine and Modbus figures arrive
 * through the observers the composition root hands to the Scheduler and the device readers; frequency
 * and power come from bus events; outbox, uplink and device-state figures are read at scrape time.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { TaskObserver } from '../engine/task.ts';
import type { EventBus } from '../core/event-bus.ts';
import type { DeviceInfo } from '../devices/device-info.ts';
import type { ModbusObserver } from '../modbus/modbus-observer.ts';
import type { OutboxStats } from '../outbox/batch-record.ts';
import type { UplinkState } from '../uplink/uplink.ts';

/** What the metrics read at scrape time and listen to (the API's GatewayServices is one). */
export interface MetricsSources {
  bus: EventBus;
  outbox: { stats(): OutboxStats };
  uplinks(): UplinkState[];
  devices: { list(): DeviceInfo[] };
}

/** The scrape-time view before anything is watched: an empty outbox, no uplinks, no devices. */
const NOTHING_WATCHED = {
  outbox: { stats: (): OutboxStats => ({ depth: 0, bytes: 0, dropped: 0, lastSeq: 0 }) },
  uplinks: (): UplinkState[] => [],
  devices: { list: (): DeviceInfo[] => [] },
};

/** What createMetrics returns: the registry /metrics serves and the observers to wire in. */
export interface GatewayMetrics {
  registry: Registry;
  /** Pass to the Scheduler (TaskEngine) so run lag, duration and overruns are recorded. */
  taskObserver: TaskObserver;
  /** Pass to every DeviceReader so Modbus latency, exceptions and reconnects are recorded. */
  modbusObserver: ModbusObserver;
  /** Further observers taskObserver forwards each run report to (the API's load shedder). */
  taskListeners: Set<TaskObserver>;
  /** API requests answered 503 because sampling was behind (egw_api_shed_requests_total). */
  shedRequests: Counter;
  /**
   * Reads `sources` at scrape time and listens to their bus from now on; returns the undo. The
   * registry and the observers exist before (the Scheduler is built with them), the sources later.
   */
  watch(sources: MetricsSources): () => void;
  /** Undoes the watch of the sources handed to createMetrics (if any). */
  close(): void;
}

const TASK_BUCKETS_S = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const MODBUS_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

function registerScrapeGauges(registry: Registry, services: Omit<MetricsSources, 'bus'>): void {
  const outbox = (name: string, help: string, pick: (s: OutboxStats) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(pick(services.outbox.stats()));
      },
    });
  outbox('egw_outbox_depth_batches', 'Batches waiting in the outbox', (s) => s.depth);
  outbox('egw_outbox_bytes', 'Bytes of the batches waiting in the outbox', (s) => s.bytes);
  outbox(
    'egw_outbox_dropped_batches',
    'Batches dropped because the outbox was full (since start)',
    (s) => s.dropped,
  );
  outbox(
    'egw_outbox_oldest_age_seconds',
    'Age of the oldest undelivered batch (0 when empty)',
    (s) => (s.oldestAgeMs ?? 0) / 1000,
  );
  outbox('egw_outbox_last_seq', 'Sequence number of the newest batch', (s) => s.lastSeq);
  const uplink = (name: string, help: string, pick: (u: UplinkState) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['uplink'],
      registers: [registry],
      collect() {
        this.reset();
        for (const u of services.uplinks()) this.set({ uplink: u.name }, pick(u));
      },
    });
  uplink('egw_uplink_acked_batches', 'Batches the uplink acknowledged (since start)', (u) => u.acked);
  uplink('egw_uplink_retries', 'Delivery retries of the uplink (since start)', (u) => u.retries);
  uplink('egw_uplink_up', 'Whether the uplink delivers (state ok)', (u) => (u.state === 'ok' ? 1 : 0));
  new Gauge({
    name: 'egw_device_connected',
    help: 'Whether the device delivers readings (state connected; a failing device with an open socket is 0)',
    labelNames: ['device'],
    registers: [registry],
    collect() {
      this.reset();
      for (const d of services.devices.list())
        this.set({ device: d.config.id }, (d.status?.state ?? d.stats.state) === 'connected' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'egw_modbus_malformed_replies',
    help: 'Replies that did not parse: bad checksum or CRC, truncated frame, wrong length (since start)',
    labelNames: ['device'],
    registers: [registry],
    collect() {
      this.reset();
      for (const d of services.devices.list()) this.set({ device: d.config.id }, d.stats.malformed ?? 0);
    },
  });
  // Modbus proxy counters live in the proxy; read at scrape time (a Gauge, as prom-client counters
  // cannot be set — the value still only grows while the device exists).
  new Gauge({
    name: 'egw_proxy_requests_total',
    help: 'Requests of other clients through the Modbus proxy, by outcome (cached, forwarded, refused, failed)',
    labelNames: ['device', 'outcome'],
    registers: [registry],
    collect() {
      this.reset();
      for (const d of services.devices.list())
        for (const [outcome, count] of Object.entries(d.proxy?.requests ?? {}))
          this.set({ device: d.config.id, outcome }, count);
    },
  });
  new Gauge({
    name: 'egw_proxy_clients',
    help: 'Clients connected to the Modbus proxy',
    labelNames: ['device'],
    registers: [registry],
    collect() {
      this.reset();
      for (const d of services.devices.list())
        if (d.proxy) this.set({ device: d.config.id }, d.proxy.clients);
    },
  });
}

/** Resolution of nodejs_eventloop_lag_* (ms): coarse on purpose, see createMetrics. */
const EVENT_LOOP_PRECISION_MS = 1000;

/**
 * Builds the registry and the observers; with `sources`, watches them at once (close() undoes that).
 * The gateway builds the metrics first and watches its modules once they exist (Observability).
 */
export function createMetrics(sources?: MetricsSources): GatewayMetrics {
  const registry = new Registry();
  // prom-client samples event-loop delay with a native timer; at its default 10 ms precision that timer
  // wakes the process 100 times a second, more than the 10 Hz sampling itself on a one-device box.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_PRECISION_MS });
  const registers = [registry];
  const lag = new Histogram({
    name: 'egw_task_start_lag_seconds',
    help: 'Task start − due time',
    labelNames: ['kind'],
    buckets: TASK_BUCKETS_S,
    registers,
  });
  const duration = new Histogram({
    name: 'egw_task_duration_seconds',
    help: 'Task run duration',
    labelNames: ['kind'],
    buckets: TASK_BUCKETS_S,
    registers,
  });
  const failures = new Counter({
    name: 'egw_task_failures_total',
    help: 'Task runs that threw',
    labelNames: ['kind'],
    registers,
  });
  const overruns = new Counter({
    name: 'egw_task_overruns_total',
    help: 'Periodic slots skipped because the previous run was still in flight',
    labelNames: ['kind'],
    registers,
  });
  const modbusLatency = new Histogram({
    name: 'egw_modbus_request_duration_seconds',
    help: 'Modbus request latency',
    labelNames: ['device', 'outcome'],
    buckets: MODBUS_BUCKETS_S,
    registers,
  });
  const exceptions = new Counter({
    name: 'egw_modbus_exceptions_total',
    help: 'Modbus exception responses by code',
    labelNames: ['device', 'code'],
    registers,
  });
  const timeouts = new Counter({
    name: 'egw_modbus_timeouts_total',
    help: 'Modbus requests that timed out',
    labelNames: ['device'],
    registers,
  });
  const reconnects = new Counter({
    name: 'egw_modbus_reconnects_total',
    help: 'Modbus reconnections',
    labelNames: ['device'],
    registers,
  });
  const frequency = new Gauge({
    name: 'egw_grid_frequency_hz',
    help: 'Latest grid frequency sample',
    labelNames: ['device'],
    registers,
  });
  const power = new Gauge({
    name: 'egw_ac_power_watts',
    help: 'Latest AC power (positive when producing)',
    labelNames: ['device'],
    registers,
  });
  const gridPower = new Gauge({
    name: 'egw_grid_power_watts',
    help: 'Latest meter grid power (positive = import)',
    labelNames: ['device'],
    registers,
  });
  const shedRequests = new Counter({
    name: 'egw_api_shed_requests_total',
    help: 'API requests answered 503 because sampling was running late while the API was busy',
    registers,
  });
  let watched: MetricsSources | undefined;
  registerScrapeGauges(registry, {
    outbox: { stats: () => (watched ?? NOTHING_WATCHED).outbox.stats() },
    uplinks: () => (watched ?? NOTHING_WATCHED).uplinks(),
    devices: { list: () => (watched ?? NOTHING_WATCHED).devices.list() },
  });
  const watch = (next: MetricsSources): (() => void) => {
    watched = next;
    const unsubscribe = [
      next.bus.on('frequency', (s) => frequency.set({ device: s.device }, s.hz)),
      next.bus.on('reading', (r) => {
        if (r.ac_power_w !== undefined) power.set({ device: r.device }, r.ac_power_w);
        if (r.grid_power_w !== undefined) gridPower.set({ device: r.device }, r.grid_power_w);
        if (r.grid_frequency_hz !== undefined) frequency.set({ device: r.device }, r.grid_frequency_hz);
      }),
    ];
    return () => {
      unsubscribe.forEach((off) => off());
      if (watched === next) watched = undefined;
    };
  };

  const taskListeners = new Set<TaskObserver>();
  const taskObserver: TaskObserver = {
    runFinished(report) {
      for (const listener of taskListeners) listener.runFinished?.(report);
      lag.observe({ kind: report.kind }, Math.max(0, report.lagMs) / 1000);
      duration.observe({ kind: report.kind }, report.durationMs / 1000);
      if (report.failed) failures.inc({ kind: report.kind });
    },
    overrun(kind, name) {
      for (const listener of taskListeners) listener.overrun?.(kind, name);
      overruns.inc({ kind });
    },
  };
  const modbusObserver: ModbusObserver = {
    requestFinished(report) {
      const outcome = report.ok
        ? 'ok'
        : report.timeout
          ? 'timeout'
          : report.exceptionCode
            ? 'exception'
            : 'error';
      modbusLatency.observe({ device: report.device, outcome }, report.latencyMs / 1000);
      if (report.timeout) timeouts.inc({ device: report.device });
      if (report.exceptionCode !== undefined) {
        exceptions.inc({ device: report.device, code: report.exceptionCode.toString(16).padStart(2, '0') });
      }
    },
    reconnected(device) {
      reconnects.inc({ device });
    },
  };
  return {
    registry,
    taskObserver,
    modbusObserver,
    taskListeners,
    shedRequests,
    watch,
    close: sources ? watch(sources) : () => {},
  };
}
