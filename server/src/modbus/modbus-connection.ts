/**
 * One Modbus connection (TCP socket or serial port) to one device: exactly one request in flight,
 * an adaptive per-request timeout, reconnect with backoff, typed errors and counters.
 *
 * Failure handling, by what it says about the byte stream:
 * - exception reply (ModbusError): the stream is in step; keep the link (see modbus-exception-kind.ts);
 * - timeout (TimeoutError), malformed reply or lost link (TransportError): the stream may be out of
 *   step — a late reply could be taken for the next request's answer — so the link is dropped and
 *   the next request reconnects (at once after one failure, after a growing pause after more).
 */
import type { Clock } from '../core/clock.ts';
import { EgwError, ModbusError, ProfileError, TimeoutError, TransportError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { ConnectionState, ModbusObserver } from './modbus-observer.ts';
import { AdaptiveTimeout } from './adaptive-timeout.ts';
import { ModbusCounters, type ModbusConnectionStats } from './modbus-counters.ts';
import { Backoff } from '../core/backoff.ts';
import {
  describeTarget,
  LinkError,
  type LinkOpener,
  type ModbusLink,
  type ModbusTarget,
  type ModbusRequest,
  type RegisterRequest,
  type WriteRequest,
} from './modbus-link.ts';
import { RegisterCache } from './register-cache.ts';
import { openModbusSerialLink } from './modbus-serial-link.ts';
import { RequestQueue } from './request-queue.ts';
import { withDeadline } from '../core/with-deadline.ts';

/** Timeouts of one connection, ms. */
export interface ModbusTimeouts {
  /** Opening the socket or port. */
  connectMs: number;
  /** Floor of the adaptive request timeout. */
  minMs: number;
  /** Ceiling of the adaptive request timeout (used until latencies are known). */
  maxMs: number;
  /** Timeout = clamp(factor × p99 latency, minMs, maxMs). */
  factor: number;
}

/** Defaults: generous enough for 9600-baud RTU and cloud-relayed TCP gateways. */
export const DEFAULT_MODBUS_TIMEOUTS: ModbusTimeouts = {
  connectMs: 3000,
  minMs: 250,
  maxMs: 3000,
  factor: 4,
};

export interface ModbusConnectionOptions {
  /** Device id; named in every error and log line. */
  device: string;
  target: ModbusTarget;
  clock: Clock;
  /** Opens the transport (default: the modbus-serial adapter); tests pass a fake. */
  openLink?: LinkOpener;
  logger?: Logger;
  observer?: ModbusObserver;
  timeouts?: Partial<ModbusTimeouts>;
  /**
   * Pause before reconnecting after the 2nd, 3rd… consecutive failure (the first reconnect is
   * immediate: one lost frame should cost one poll, not seconds). Default 250 ms doubling to 30 s.
   */
  backoff?: Backoff;
  /** Requests allowed to wait behind the one in flight (default 1000). */
  maxWaiting?: number;
  /**
   * During a reconnect pause, wait it out instead of failing at once (default false: a polling
   * task should fail fast and keep its slot; a scan that expects silence from absent units waits).
   */
  waitForReconnect?: boolean;
}

/** A Modbus client connection with one request in flight; connects lazily on the first request. */
export class ModbusConnection {
  private readonly queue: RequestQueue;
  /** Every successful read, for a proxy answering other clients from the latest polls. */
  readonly cache = new RegisterCache();
  private readonly counters = new ModbusCounters();
  private readonly timeout: AdaptiveTimeout;
  private readonly timeouts: ModbusTimeouts;
  private readonly backoff: Backoff;
  private readonly openLink: LinkOpener;
  private link: ModbusLink | undefined;
  private connecting = false;
  private closed = false;
  private everConnected = false;
  /** The last link went away without us asking (counts the next connect as a reconnect). */
  private lostLink = false;
  /** Failures since the last reply; drives the reconnect pause. */
  private failureStreak = 0;
  private nextConnectAtMs = 0;
  private links = 0;
  /** The last link's release; a serial port must be closed before it is opened again. */
  private readonly options: ModbusConnectionOptions;
  private releasing: Promise<void> = Promise.resolve();

  constructor(options: ModbusConnectionOptions) {
    this.options = options;
    this.timeouts = { ...DEFAULT_MODBUS_TIMEOUTS, ...options.timeouts };
    this.timeout = new AdaptiveTimeout(this.timeouts, this.counters.latencies);
    this.backoff = options.backoff ?? new Backoff({ initialMs: 250, maxMs: 30_000 });
    this.openLink = options.openLink ?? openModbusSerialLink;
    this.queue = new RequestQueue(
      `${options.device} (${describeTarget(options.target)})`,
      options.maxWaiting,
    );
  }

  /** Device id this connection serves. */
  get device(): string {
    return this.options.device;
  }

  /** Increments with every newly opened link: lets readers notice a reconnect (e.g. to rediscover SunSpec). */
  get generation(): number {
    return this.links;
  }

  /**
   * Reads `count` registers with function 3 or 4 from `unit` at wire address `address`. A `low`
   * priority read (another client's, through the proxy) waits until no sampling read is waiting and
   * the low-priority gate is open.
   */
  readRegisters(request: RegisterRequest, signal?: AbortSignal, low = false): Promise<number[]> {
    if (this.closed) return Promise.reject(this.closedError());
    const { unit, address, count } = request;
    if (!(
      Number.isInteger(count) &&
      count >= 1 &&
      count <= 125 &&
      address >= 0 &&
      address + count <= 0x10000
    )) {
      // A Modbus read carries 1–125 registers within the 16-bit address space; anything else is a profile bug.
      return Promise.reject(
        new ProfileError(
          `${describeRequest(this.device, request)}: a read is 1-125 registers within 0-65535`,
          {
            device: this.device,
            unit,
            register: address,
          },
        ),
      );
    }
    return this.queue.push(
      () =>
        this.execute(request, signal, async (link) => {
          const values = await link.read(request);
          this.cache.record(
            request.unit,
            request.fc,
            request.address,
            values,
            this.options.clock.monotonicMs(),
          );
          return values;
        }),
      signal,
      low,
    );
  }

  /** Writes registers (function 6 or 16); a link that cannot write refuses with exception 01. */
  writeRegisters(request: WriteRequest, signal?: AbortSignal, low = false): Promise<void> {
    if (this.closed) return Promise.reject(this.closedError());
    return this.queue.push(
      () =>
        this.execute(request, signal, (link) =>
          link.write ? link.write(request) : Promise.reject(new LinkError({ kind: 'exception', code: 1 })),
        ),
      signal,
      low,
    );
  }

  /**
   * Decides when a low-priority request may start (the device's pipeline knows its next sampling
   * slot); kickLowPriority() re-checks it.
   */
  setLowPriorityGate(gate: () => boolean): void {
    this.queue.lowGate = gate;
  }

  /** Sampling requests that had to wait for a low-priority (proxied) request on the wire. */
  get delayedByLowPriority(): number {
    return this.queue.delayedByLow;
  }

  /** Starts a waiting low-priority request if the gate opened meanwhile. */
  kickLowPriority(): void {
    this.queue.kick();
  }

  /** p99 round-trip latency of recent requests, ms (undefined before the first reply). */
  latencyP99Ms(): number | undefined {
    const stats = this.counters.latencies;
    return stats.size > 0 ? stats.distribution().p99 : undefined;
  }

  /** Closes the link once the requests already queued are done (devices that accept one client). */
  release(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return this.queue.push(async () => {
      if (this.queue.depth === 0) this.dropLink(false);
    });
  }

  /** Closes for good: waiting requests reject, the link closes. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.queue.rejectWaiting(this.closedError());
    this.dropLink(false);
    await this.releasing;
  }

  state(): ConnectionState {
    if (this.closed) return 'closed';
    if (this.connecting) return 'connecting';
    if (this.link) return 'connected';
    if (this.failureStreak > 0 && this.options.clock.monotonicMs() < this.nextConnectAtMs) return 'backoff';
    return 'disconnected';
  }

  stats(): ModbusConnectionStats {
    return this.counters.snapshot(this.state());
  }

  /** The request timeout the next request would get, ms. */
  currentTimeoutMs(): number {
    return this.timeout.currentMs();
  }

  private async execute<T>(
    request: ModbusRequest,
    signal: AbortSignal | undefined,
    op: (link: ModbusLink) => Promise<T>,
  ): Promise<T> {
    if (this.closed) throw this.closedError();
    signal?.throwIfAborted();
    const link = this.link ?? (await this.connect(signal));
    const { clock } = this.options;
    const timeoutMs = this.timeout.currentMs();
    const startedMs = clock.monotonicMs();
    this.counters.requests += 1;
    try {
      const data = await withDeadline(clock, `modbus-timeout:${this.device}`, op(link), {
        timeoutMs,
        onTimeout: () =>
          new TimeoutError(
            `${describeRequest(this.device, request)}: no reply within ${timeoutMs} ms; reconnecting`,
            {
              device: this.device,
              unit: request.unit,
              register: request.address,
            },
          ),
        // The request is on the wire: its reply would come later, so the link must go.
        onAbort: () => {
          this.releasing = link.destroy();
        },
        ...(signal ? { signal } : {}),
      });
      this.replied(clock.monotonicMs() - startedMs);
      return data;
    } catch (error) {
      throw this.failed(link, request, error, clock.monotonicMs() - startedMs);
    }
  }

  private replied(latencyMs: number, exceptionCode?: number): void {
    this.counters.roundTrip(latencyMs, this.options.clock.nowMs());
    this.timeout.succeeded(latencyMs);
    this.failureStreak = 0;
    this.backoff.reset();
    const report = { device: this.device, latencyMs, ok: exceptionCode === undefined };
    this.options.observer?.requestFinished?.(
      exceptionCode === undefined ? report : { ...report, exceptionCode },
    );
  }

  /** Turns a link failure into the project error and decides whether the link survives. */
  private failed(link: ModbusLink, request: ModbusRequest, error: unknown, latencyMs: number): unknown {
    const where = { device: this.device, unit: request.unit, register: request.address };
    if (error instanceof LinkError && error.failure.kind === 'exception') {
      const modbusError = new ModbusError(error.failure.code, where);
      this.replied(latencyMs, error.failure.code);
      this.counters.exception(error.failure.code, modbusError.message);
      return modbusError;
    }
    if (this.closed) return this.closedError();
    if (!(error instanceof TimeoutError) && !(error instanceof LinkError)) {
      // Aborted by the caller while on the wire: its reply would arrive later, so the link goes.
      if (this.link === link) this.dropLink(true);
      return error;
    }
    const result: EgwError = error instanceof TimeoutError ? error : this.transportError(request, error);
    if (error instanceof LinkError && error.failure.kind === 'malformed') this.counters.malformed += 1;
    if (error instanceof TimeoutError) {
      this.counters.timeouts += 1;
      this.timeout.timedOut();
    }
    this.counters.failed(result.message);
    const report = { device: this.device, latencyMs, ok: false };
    this.options.observer?.requestFinished?.(
      error instanceof TimeoutError ? { ...report, timeout: true } : report,
    );
    this.options.logger?.debug({ device: this.device, err: result.message }, 'modbus request failed');
    // Count the failure even if the link already reported its own close: it drives the pause.
    this.linkFailed(link);
    return result;
  }

  private transportError(request: ModbusRequest, error: LinkError): TransportError {
    const what = describeRequest(this.device, request);
    const verb = error.failure.kind === 'malformed' ? 'malformed reply' : 'connection lost';
    const where = { device: this.device, unit: request.unit, register: request.address };
    return new TransportError(`${what}: ${verb} (${error.message}); reconnecting`, where, error);
  }

  private async connect(signal?: AbortSignal): Promise<ModbusLink> {
    const { clock, target } = this.options;
    const where = { device: this.device };
    const place = `${this.device} (${describeTarget(target)})`;
    const waitMs = this.nextConnectAtMs - clock.monotonicMs();
    if (this.failureStreak > 0 && waitMs > 0 && this.options.waitForReconnect) {
      await clock.sleep(waitMs, `modbus-reconnect:${this.device}`, signal);
    } else if (this.failureStreak > 0 && waitMs > 0) {
      throw new TransportError(
        `${place}: reconnecting in ${Math.ceil(waitMs)} ms after: ${this.counters.lastError ?? 'failure'}`,
        where,
      );
    }
    const controller = new AbortController();
    const timer = clock.setTimer(`modbus-connect:${this.device}`, this.timeouts.connectMs, () =>
      controller.abort(
        new TimeoutError(`${place}: no connection within ${this.timeouts.connectMs} ms`, where),
      ),
    );
    const onAbort = (): void => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    this.connecting = true;
    let link: ModbusLink;
    try {
      await this.releasing;
      link = await this.openLink(target, controller.signal);
    } catch (error) {
      const reason = controller.signal.aborted ? controller.signal.reason : error;
      const failure =
        reason instanceof EgwError || signal?.aborted
          ? reason
          : new TransportError(`${place}: cannot connect: ${describe(reason)}`, where, reason);
      if (!signal?.aborted) {
        this.counters.failed(describe(failure));
        this.linkFailed();
      }
      throw failure;
    } finally {
      this.connecting = false;
      timer.cancel();
      signal?.removeEventListener('abort', onAbort);
    }
    if (this.closed) {
      void link.destroy();
      throw this.closedError();
    }
    this.adopt(link);
    return link;
  }

  private adopt(link: ModbusLink): void {
    this.link = link;
    this.links += 1;
    if (this.everConnected && this.lostLink) {
      this.counters.reconnects += 1;
      this.options.observer?.reconnected?.(this.device);
      this.options.logger?.info({ device: this.device }, 'modbus reconnected');
    }
    this.everConnected = true;
    this.lostLink = false;
    link.onClose((reason) => {
      // The device closed an idle link: reconnect on the next request, without a pause.
      if (this.link !== link) return;
      this.link = undefined;
      this.lostLink = true;
      this.options.logger?.debug({ device: this.device, reason }, 'modbus link closed');
    });
  }

  /** Drops the link after a failure and schedules when the next connect may happen. */
  private linkFailed(link?: ModbusLink): void {
    if (link === undefined || this.link === link) this.dropLink(true);
    this.failureStreak += 1;
    const pauseMs = this.failureStreak === 1 ? 0 : this.backoff.next();
    this.nextConnectAtMs = this.options.clock.monotonicMs() + pauseMs;
  }

  private dropLink(unplanned: boolean): void {
    const link = this.link;
    this.link = undefined;
    if (unplanned) this.lostLink = true;
    if (link) this.releasing = link.destroy();
  }

  private closedError(): TransportError {
    return new TransportError(`${this.device}: connection closed`, { device: this.device });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** "inv1 unit 1 FC3 40000+2", the start of every request error. */
function describeRequest(device: string, request: ModbusRequest): string {
  const count = 'count' in request ? request.count : request.values.length;
  return `${device} unit ${request.unit} FC${request.fc} ${request.address}+${count}`;
}
