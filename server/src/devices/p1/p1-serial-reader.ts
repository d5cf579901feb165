/**
 * A smart meter's P1 port on a serial line (DSMR 4/5, ESMR 5: 115200 8N1; the meter pushes a telegram
 * every 1 s, every 10 s for DSMR 4). The reader listens all the time and keeps the latest telegram
 * whose CRC checks; one with a bad CRC is dropped and counted. A harvest reads the latest telegram,
 * waiting for the next one when none is fresh.
 */
import type { SerialPort } from 'serialport';
import type { Clock } from '../../core/clock.ts';
import { TimeoutError, TransportError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { Reading } from '../../core/reading.ts';
import type { ConnectionState, DeviceStats } from '../../modbus/modbus-observer.ts';
import type { DeviceReader } from '../device-reader.ts';
import { dsmrFields } from './dsmr-reading.ts';
import { checkTelegram, TelegramFramer, type DsmrTelegram } from './dsmr-telegram.ts';

export interface P1SerialReaderOptions {
  id: string;
  path: string;
  /** 115200 for DSMR 4/5; 9600 (7E1) for DSMR 2/3 meters. */
  baud: number;
  clock: Clock;
  logger: Logger;
  /** A telegram older than this is stale and the read waits for the next, ms (default 12 000). */
  maxAgeMs?: number;
}

/** Reads a DSMR meter's P1 port. */
export class P1SerialReader implements DeviceReader {
  readonly id: string;
  readonly profileId = 'dsmr';
  private readonly options: P1SerialReaderOptions;
  private readonly framer = new TelegramFramer();
  private port: SerialPort | undefined;
  private opening: Promise<void> | undefined;
  private latest: { telegram: DsmrTelegram; atMs: number; wallMs: number } | undefined;
  private waiters: (() => void)[] = [];
  private closed = false;
  private readonly counts = { telegrams: 0, badCrc: 0, malformed: 0 };
  private lastError: string | undefined;

  constructor(options: P1SerialReaderOptions) {
    this.options = options;
    this.id = options.id;
  }

  /** P1 carries no grid frequency. */
  async readFrequency(): Promise<number | undefined> {
    return undefined;
  }

  async read(signal?: AbortSignal): Promise<Reading> {
    const { clock } = this.options;
    await this.open();
    const startedMs = clock.monotonicMs();
    const maxAgeMs = this.options.maxAgeMs ?? 12_000;
    if (!this.latest || startedMs - this.latest.atMs > maxAgeMs) await this.nextTelegram(maxAgeMs, signal);
    const latest = this.latest!;
    return {
      device: this.id,
      profile: this.profileId,
      ts: latest.wallMs,
      read_ms: Math.round((clock.monotonicMs() - startedMs) * 10) / 10,
      ...dsmrFields(latest.telegram),
    };
  }

  state(): ConnectionState {
    if (this.closed) return 'closed';
    if (this.opening && !this.port) return 'connecting';
    return this.port?.isOpen ? 'connected' : 'disconnected';
  }

  stats(): DeviceStats {
    return {
      state: this.state(),
      requests: this.counts.telegrams,
      failures: this.counts.badCrc + this.counts.malformed,
      timeouts: 0,
      reconnects: 0,
      malformed: this.counts.badCrc + this.counts.malformed,
      exceptions: {},
      latencyMs: { p50: 0, p99: 0, max: 0 },
      captures: 0,
      ...(this.lastError ? { lastError: this.lastError } : {}),
      ...(this.latest ? { lastOkAt: this.latest.wallMs } : {}),
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  private open(): Promise<void> {
    if (this.closed) return Promise.reject(new TransportError(`${this.id}: closed`, { device: this.id }));
    this.opening ??= (async () => {
      // serialport (native bindings) loads only on a box that reads a P1 port.
      const { SerialPort } = await import('serialport');
      const port = new SerialPort({ path: this.options.path, baudRate: this.options.baud, autoOpen: false });
      await new Promise<void>((resolve, reject) =>
        port.open((error) =>
          error
            ? reject(
                new TransportError(
                  `${this.id} (${this.options.path}): cannot open: ${error.message}`,
                  { device: this.id },
                  error,
                ),
              )
            : resolve(),
        ),
      );
      port.on('data', (chunk: Buffer) => this.receive(chunk.toString('latin1')));
      port.on('error', (error) => (this.lastError = error.message));
      port.on('close', () => {
        this.port = undefined;
        this.opening = undefined;
      });
      this.port = port;
    })().catch((error: unknown) => {
      this.opening = undefined;
      throw error;
    });
    return this.opening;
  }

  private receive(text: string): void {
    for (const raw of this.framer.push(text)) {
      const result = checkTelegram(raw);
      if ('error' in result) {
        if (result.error === 'crc') this.counts.badCrc++;
        else this.counts.malformed++;
        this.lastError = `${this.id}: telegram dropped: ${result.message}`;
        this.options.logger.debug({ device: this.id, err: result.message }, 'P1 telegram dropped');
        continue;
      }
      this.counts.telegrams++;
      const { clock } = this.options;
      this.latest = { telegram: result, atMs: clock.monotonicMs(), wallMs: clock.nowMs() };
      for (const wake of this.waiters.splice(0)) wake();
    }
  }

  private nextTelegram(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = this.options.clock.setTimer(`p1-telegram:${this.id}`, timeoutMs, () => {
        this.waiters = this.waiters.filter((w) => w !== wake);
        reject(
          new TimeoutError(`${this.id} (${this.options.path}): no valid telegram within ${timeoutMs} ms`, {
            device: this.id,
          }),
        );
      });
      const wake = (): void => {
        timer.cancel();
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        timer.cancel();
        this.waiters = this.waiters.filter((w) => w !== wake);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(wake);
    });
  }
}
