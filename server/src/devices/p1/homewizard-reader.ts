/**
 * The HomeWizard P1 meter (Wi-Fi dongle on the P1 port) through its local HTTP API v1: GET /api for
 * identity (once), GET /api/v1/data for the values; decoded to the same canonical meter fields as a
 * telegram (kW → W, kWh → Wh, gas in m³).
 */
import type { Clock } from '../../core/clock.ts';
import { TimeoutError, TransportError } from '../../core/errors.ts';
import type { Reading } from '../../core/reading.ts';
import type { ConnectionState, DeviceStats } from '../../modbus/modbus-observer.ts';
import type { DeviceReader } from '../device-reader.ts';

export interface HomeWizardReaderOptions {
  id: string;
  host: string;
  port: number;
  clock: Clock;
  /** Request timeout, ms (default 3000). */
  timeoutMs?: number;
}

type Data = Record<string, unknown>;
const num = (data: Data, key: string): number | undefined =>
  typeof data[key] === 'number' && Number.isFinite(data[key]) ? data[key] : undefined;
const kwh = (value: number | undefined): number | undefined =>
  value === undefined ? undefined : Math.round(value * 1000 * 1000) / 1000;

/** The canonical fields of one /api/v1/data answer. */
export function homeWizardFields(data: Data): Omit<Reading, 'device' | 'profile' | 'ts' | 'read_ms'> {
  const fields: Record<string, number | undefined> = {
    grid_power_w: num(data, 'active_power_w'),
    grid_power_l1_w: num(data, 'active_power_l1_w'),
    grid_power_l2_w: num(data, 'active_power_l2_w'),
    grid_power_l3_w: num(data, 'active_power_l3_w'),
    energy_import_wh: kwh(num(data, 'total_power_import_kwh')),
    energy_export_wh: kwh(num(data, 'total_power_export_kwh')),
    energy_import_t1_wh: kwh(num(data, 'total_power_import_t1_kwh')),
    energy_import_t2_wh: kwh(num(data, 'total_power_import_t2_kwh')),
    energy_export_t1_wh: kwh(num(data, 'total_power_export_t1_kwh')),
    energy_export_t2_wh: kwh(num(data, 'total_power_export_t2_kwh')),
    ac_voltage_l1_v: num(data, 'active_voltage_l1_v'),
    ac_voltage_l2_v: num(data, 'active_voltage_l2_v'),
    ac_voltage_l3_v: num(data, 'active_voltage_l3_v'),
    ac_current_l1_a: num(data, 'active_current_l1_a'),
    ac_current_l2_a: num(data, 'active_current_l2_a'),
    ac_current_l3_a: num(data, 'active_current_l3_a'),
    grid_frequency_hz: num(data, 'active_frequency_hz'),
    gas_volume_m3: num(data, 'total_gas_m3'),
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

/** Reads a HomeWizard P1 meter over its local API. */
export class HomeWizardReader implements DeviceReader {
  readonly id: string;
  readonly profileId = 'homewizard';
  private readonly options: HomeWizardReaderOptions;
  private identity: { make: string; model?: string; serial?: string } | undefined;
  private readonly counts = { requests: 0, failures: 0, timeouts: 0, malformed: 0 };
  private lastError: string | undefined;
  private lastOkAt: number | undefined;
  private ok: boolean | undefined;

  constructor(options: HomeWizardReaderOptions) {
    this.options = options;
    this.id = options.id;
  }

  async readFrequency(): Promise<number | undefined> {
    return undefined;
  }

  async read(signal?: AbortSignal): Promise<Reading> {
    const { clock } = this.options;
    const ts = clock.nowMs();
    const startedMs = clock.monotonicMs();
    this.identity ??= await this.readIdentity(signal);
    const data = await this.get('/api/v1/data', signal);
    return {
      device: this.id,
      profile: this.profileId,
      ts,
      read_ms: Math.round((clock.monotonicMs() - startedMs) * 10) / 10,
      ...this.identity,
      ...homeWizardFields(data),
    };
  }

  state(): ConnectionState {
    return this.ok === undefined ? 'disconnected' : this.ok ? 'connected' : 'backoff';
  }

  stats(): DeviceStats {
    return {
      state: this.state(),
      ...this.counts,
      reconnects: 0,
      exceptions: {},
      latencyMs: { p50: 0, p99: 0, max: 0 },
      captures: 0,
      ...(this.lastError ? { lastError: this.lastError } : {}),
      ...(this.lastOkAt !== undefined ? { lastOkAt: this.lastOkAt } : {}),
    };
  }

  async close(): Promise<void> {}

  private async readIdentity(
    signal?: AbortSignal,
  ): Promise<{ make: string; model?: string; serial?: string }> {
    const info = await this.get('/api', signal);
    return {
      make: 'HomeWizard',
      ...(typeof info.product_type === 'string' ? { model: info.product_type } : {}),
      ...(typeof info.serial === 'string' ? { serial: info.serial } : {}),
    };
  }

  private async get(path: string, signal?: AbortSignal): Promise<Data> {
    const { clock, host, port } = this.options;
    const timeoutMs = this.options.timeoutMs ?? 3000;
    const where = `${this.id} (http://${host}:${port}${path})`;
    const controller = new AbortController();
    const timer = clock.setTimer(`homewizard:${this.id}`, timeoutMs, () =>
      controller.abort(new TimeoutError(`${where}: no answer within ${timeoutMs} ms`, { device: this.id })),
    );
    const onAbort = (): void => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    this.counts.requests++;
    try {
      const res = await fetch(`http://${host}:${port}${path}`, { signal: controller.signal });
      if (!res.ok) throw new TransportError(`${where}: HTTP ${res.status}`, { device: this.id });
      let body: unknown;
      try {
        body = await res.json();
      } catch (error) {
        this.counts.malformed++;
        throw new TransportError(`${where}: not JSON`, { device: this.id }, error);
      }
      if (typeof body !== 'object' || body === null) {
        this.counts.malformed++;
        throw new TransportError(`${where}: not a JSON object`, { device: this.id });
      }
      this.ok = true;
      this.lastOkAt = clock.nowMs();
      return body as Data;
    } catch (error) {
      this.ok = false;
      this.counts.failures++;
      const reason = controller.signal.aborted ? controller.signal.reason : error;
      if (reason instanceof TimeoutError) this.counts.timeouts++;
      const failure =
        reason instanceof TimeoutError || reason instanceof TransportError
          ? reason
          : new TransportError(
              `${where}: ${reason instanceof Error ? reason.message : String(reason)}`,
              { device: this.id },
              reason,
            );
      this.lastError = failure.message;
      throw failure;
    } finally {
      timer.cancel();
      signal?.removeEventListener('abort', onAbort);
    }
  }
}
