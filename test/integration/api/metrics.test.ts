import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from './api-harness.ts';
import { parsePrometheusText, type Family } from './prometheus-text.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.close());

function sample(
  families: Map<string, Family>,
  family: string,
  name: string,
  labels: Record<string, string>,
): number | undefined {
  return families
    .get(family)
    ?.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    ?.value;
}

it('GET /metrics parses as Prometheus text and carries the gateway metrics', async () => {
  const { taskObserver, modbusObserver } = h.metrics;
  taskObserver.runFinished?.({
    name: 'frequency:inv1',
    kind: 'frequency',
    lagMs: 1.5,
    durationMs: 6,
    failed: false,
  });
  taskObserver.runFinished?.({
    name: 'harvest:inv1',
    kind: 'harvest',
    lagMs: 0.5,
    durationMs: 30,
    failed: true,
  });
  taskObserver.overrun?.('frequency', 'frequency:inv1');
  modbusObserver.requestFinished?.({ device: 'inv1', latencyMs: 4, ok: true });
  modbusObserver.requestFinished?.({ device: 'inv1', latencyMs: 9, ok: false, exceptionCode: 6 });
  modbusObserver.requestFinished?.({ device: 'inv1', latencyMs: 1000, ok: false, timeout: true });
  modbusObserver.reconnected?.('inv1');
  h.fake.emitFrequency('inv1', 49.97);
  h.fake.emitReading('inv1', { ac_power_w: 3210 });

  const answer = await h.request('GET', '/metrics', { token: null });
  assert.equal(answer.status, 200);
  assert.match(answer.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const families = parsePrometheusText(answer.text);

  assert.equal(families.get('egw_task_start_lag_seconds')?.type, 'histogram');
  assert.equal(
    sample(families, 'egw_task_start_lag_seconds', 'egw_task_start_lag_seconds_count', { kind: 'frequency' }),
    1,
  );
  assert.equal(
    sample(families, 'egw_task_duration_seconds', 'egw_task_duration_seconds_sum', { kind: 'harvest' }),
    0.03,
  );
  assert.equal(
    sample(families, 'egw_task_failures_total', 'egw_task_failures_total', { kind: 'harvest' }),
    1,
  );
  assert.equal(
    sample(families, 'egw_task_overruns_total', 'egw_task_overruns_total', { kind: 'frequency' }),
    1,
  );
  assert.equal(families.get('egw_modbus_request_duration_seconds')?.type, 'histogram');
  assert.equal(
    sample(families, 'egw_modbus_request_duration_seconds', 'egw_modbus_request_duration_seconds_count', {
      device: 'inv1',
      outcome: 'ok',
    }),
    1,
  );
  assert.equal(
    sample(families, 'egw_modbus_exceptions_total', 'egw_modbus_exceptions_total', {
      device: 'inv1',
      code: '06',
    }),
    1,
  );
  assert.equal(
    sample(families, 'egw_modbus_timeouts_total', 'egw_modbus_timeouts_total', { device: 'inv1' }),
    1,
  );
  assert.equal(
    sample(families, 'egw_modbus_reconnects_total', 'egw_modbus_reconnects_total', { device: 'inv1' }),
    1,
  );
  assert.equal(sample(families, 'egw_outbox_depth_batches', 'egw_outbox_depth_batches', {}), 3);
  assert.ok((sample(families, 'egw_outbox_bytes', 'egw_outbox_bytes', {}) ?? 0) > 0);
  assert.equal(sample(families, 'egw_outbox_dropped_batches', 'egw_outbox_dropped_batches', {}), 0);
  assert.equal(sample(families, 'egw_outbox_oldest_age_seconds', 'egw_outbox_oldest_age_seconds', {}), 30);
  assert.equal(
    sample(families, 'egw_uplink_acked_batches', 'egw_uplink_acked_batches', { uplink: 'http' }),
    12,
  );
  assert.equal(sample(families, 'egw_uplink_retries', 'egw_uplink_retries', { uplink: 'mqtt' }), 7);
  assert.equal(sample(families, 'egw_uplink_up', 'egw_uplink_up', { uplink: 'mqtt' }), 0);
  assert.equal(sample(families, 'egw_grid_frequency_hz', 'egw_grid_frequency_hz', { device: 'inv1' }), 50.01);
  assert.equal(sample(families, 'egw_ac_power_watts', 'egw_ac_power_watts', { device: 'inv1' }), 3210);
  assert.equal(sample(families, 'egw_device_connected', 'egw_device_connected', { device: 'inv1' }), 1);
  // Default process metrics.
  assert.ok(families.has('process_cpu_seconds_total'));
  assert.ok(families.has('nodejs_heap_size_used_bytes'));
});

it('the parser refuses malformed exposition text', () => {
  assert.throws(() => parsePrometheusText('# TYPE x gauge\nx{a="1} 1\n'), /bad labels|not a sample/);
  assert.throws(() => parsePrometheusText('y 1\n'), /no declared family/);
  assert.throws(() => parsePrometheusText('# TYPE x gauge\nx one\n'), /not a sample|bad value/);
});
