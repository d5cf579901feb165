/**
 * One server-sent-events subscriber. Frequency samples are throttled per device; a client whose socket
 * buffer grows past maxBufferedBytes (it stopped reading) is dropped instead of buffered without bound.
 */
import type { Clock } from '../../core/clock.ts';

/** One SSE frame: event name and one-line JSON data. */
export function sseFrame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** The part of a writable stream the client needs (an http.ServerResponse in production). */
export interface SseSink {
  write(chunk: string): boolean;
  readonly writableLength: number;
  destroy(): void;
  end(): void;
}

export interface SseClientOptions {
  clock: Clock;
  /** Drop the client when this many bytes wait unsent (default 256 KiB). */
  maxBufferedBytes?: number;
  /** Frequency samples per second per device; 0 mutes them. */
  frequencyPerS: number;
  /** Called once when the client is dropped for being slow. */
  onDrop?: () => void;
}

/** A subscriber: formats events, throttles frequency, drops itself when too slow. */
export class SseClient {
  private readonly lastFrequencyMs = new Map<string, number>();
  private readonly minIntervalMs: number;
  private closedFlag = false;
  /** Events written, and events skipped by the frequency throttle (for tests and stats). */
  sent = 0;
  private readonly sink: SseSink;
  private readonly options: SseClientOptions;
  throttled = 0;

  constructor(sink: SseSink, options: SseClientOptions) {
    this.sink = sink;
    this.options = options;
    this.minIntervalMs = options.frequencyPerS > 0 ? 1000 / options.frequencyPerS : Infinity;
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Ends the stream politely (server shutdown). */
  end(): void {
    if (!this.closedFlag) this.sink.end();
    this.closedFlag = true;
  }

  /** Bytes written to the client and not yet taken by its socket (> 0: it is not keeping up). */
  get unsentBytes(): number {
    return this.sink.writableLength;
  }

  /** Marks the client closed (its socket went away). */
  close(): void {
    this.closedFlag = true;
  }

  private write(chunk: string): void {
    if (this.closedFlag) return;
    if (this.sink.writableLength > (this.options.maxBufferedBytes ?? 262_144)) {
      this.closedFlag = true;
      this.sink.destroy();
      this.options.onDrop?.();
      return;
    }
    this.sink.write(chunk);
    this.sent += 1;
  }

  /** Sends one event; data is JSON on one line (JSON.stringify never emits raw newlines). */
  send(event: string, data: unknown): void {
    this.write(sseFrame(event, data));
  }

  /** Sends an already formatted frame (formatted once for all clients). */
  sendFrame(frame: string): void {
    this.write(frame);
  }

  /**
   * Sends a frequency sample unless this device had one less than 1/frequencyPerS ago.
   * @param frame the sample's formatted frame, when the caller already built it for other clients.
   */
  sendFrequency(sample: { device: string; ts: number; hz: number }, frame?: () => string): void {
    const now = this.options.clock.monotonicMs();
    const last = this.lastFrequencyMs.get(sample.device);
    // A small tolerance so a 10 Hz source is not halved by timer jitter at the 10/s limit.
    if (this.minIntervalMs === Infinity || (last !== undefined && now - last < this.minIntervalMs * 0.9)) {
      this.throttled += 1;
      return;
    }
    this.lastFrequencyMs.set(sample.device, now);
    this.write(frame ? frame() : sseFrame('frequency', sample));
  }

  /** Sends a comment line (keeps proxies and the browser from timing the stream out). */
  comment(text: string): void {
    this.write(`: ${text}\n\n`);
  }
}
