/**
 * The per-request timeout, adapted from recent latencies: clamp(factor × p99, minMs, maxMs). A
 * device on a fast LAN gets a short timeout (a lost frame is noticed quickly and the 10 Hz path
 * recovers), a slow RTU line or cloud gateway a long one. Until enough samples exist, and right
 * after a timeout (the device may just have become slower), the ceiling applies.
 */
import { LatencyWindow } from './latency-window.ts';

/** Request timeout bounds, ms. */
export interface TimeoutBounds {
  /** Never time out sooner than this. */
  minMs: number;
  /** Never wait longer than this; also used until the window has `minSamples` samples. */
  maxMs: number;
  /** Multiplier applied to the p99 latency (default 4). */
  factor?: number;
  /** Samples needed before adapting (default 8). */
  minSamples?: number;
}

/** Computes the timeout for the next request from the latencies seen so far. */
export class AdaptiveTimeout {
  private readonly factor: number;
  private readonly minSamples: number;
  private readonly bounds: TimeoutBounds;
  private readonly latencies: LatencyWindow;
  private afterTimeout = false;

  constructor(bounds: TimeoutBounds, latencies: LatencyWindow = new LatencyWindow()) {
    this.bounds = bounds;
    this.latencies = latencies;
    if (!(bounds.minMs > 0 && bounds.maxMs >= bounds.minMs)) {
      throw new RangeError(
        `timeout bounds: need 0 < minMs ≤ maxMs, got minMs ${bounds.minMs}, maxMs ${bounds.maxMs}`,
      );
    }
    this.factor = bounds.factor ?? 4;
    this.minSamples = bounds.minSamples ?? 8;
  }

  /** Records a completed round trip (reply or exception reply). */
  succeeded(latencyMs: number): void {
    this.latencies.add(latencyMs);
    this.afterTimeout = false;
  }

  /** Records a timeout: the next request waits the full ceiling. */
  timedOut(): void {
    this.afterTimeout = true;
  }

  /** Timeout for the next request, ms. */
  currentMs(): number {
    if (this.afterTimeout || this.latencies.size < this.minSamples) return this.bounds.maxMs;
    const wanted = Math.ceil(this.factor * this.latencies.distribution().p99);
    return Math.min(this.bounds.maxMs, Math.max(this.bounds.minMs, wanted));
  }
}
