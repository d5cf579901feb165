/** An in-memory DeviceReader for unit tests: scripted values, failures and delays on a (manual) clock. */
import type { Clock } from '../../server/src/core/clock.ts';
import { TimeoutError } from '../../server/src/core/errors.ts';
import type { Reading } from '../../server/src/core/reading.ts';
import type { DeviceReader } from '../../server/src/devices/device-reader.ts';
import type { ConnectionState, DeviceStats } from '../../server/src/modbus/modbus-observer.ts';

export interface FakeDeviceReaderOptions {
  id?: string;
  profileId?: string;
  /** Frequency returned by readFrequency (default 50 Hz); a function gets the call number. */
  frequencyHz?: number | ((call: number) => number | undefined);
  /** Extra fields of every reading. */
  fields?: Partial<Reading>;
}

/** A scripted device. Set `failing` to make reads throw, `delayMs` to make them take clock time. */
export class FakeDeviceReader implements DeviceReader {
  readonly id: string;
  readonly profileId: string;
  failing = false;
  delayMs = 0;
  frequencyCalls = 0;
  readCalls = 0;
  closed = false;
  /** Reads in flight right now, and the most ever in flight (one connection: should stay ≤ 2). */
  inFlight = 0;
  private readonly clock: Clock;
  private readonly options: FakeDeviceReaderOptions;
  maxInFlight = 0;

  constructor(clock: Clock, options: FakeDeviceReaderOptions = {}) {
    this.clock = clock;
    this.options = options;
    this.id = options.id ?? 'dev1';
    this.profileId = options.profileId ?? 'sunspec';
  }

  async readFrequency(signal?: AbortSignal): Promise<number | undefined> {
    const call = this.frequencyCalls++;
    await this.io(signal);
    const hz = this.options.frequencyHz ?? 50;
    return typeof hz === 'function' ? hz(call) : hz;
  }

  async read(signal?: AbortSignal): Promise<Reading> {
    this.readCalls++;
    const ts = this.clock.nowMs();
    const started = this.clock.monotonicMs();
    await this.io(signal);
    return {
      device: this.id,
      profile: this.profileId,
      ts,
      read_ms: this.clock.monotonicMs() - started,
      ac_power_w: 1234,
      ...this.options.fields,
    };
  }

  state(): ConnectionState {
    if (this.closed) return 'closed';
    return this.failing ? 'backoff' : 'connected';
  }

  stats(): DeviceStats {
    return {
      state: this.state(),
      requests: this.frequencyCalls + this.readCalls,
      failures: 0,
      timeouts: 0,
      reconnects: 0,
      exceptions: {},
      latencyMs: { p50: 0, p99: 0, max: 0 },
      captures: 0,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private async io(signal?: AbortSignal): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.delayMs > 0) await this.clock.sleep(this.delayMs, `fake-io:${this.id}`, signal);
      if (this.failing) throw new TimeoutError(`${this.id}: no answer`, { device: this.id });
    } finally {
      this.inFlight--;
    }
  }
}
