/**
 * The run-time fault state of one simulated device: which faults are on, the seeded decisions per
 * connection and request, and a count of every fault shown. The server asks it before accepting a
 * connection and before answering; the control API and tests change it while clients are connected.
 */
import type { Clock } from '../../../server/src/core/clock.ts';
import { Prng } from '../physics/prng.ts';
import { FaultSpecSchema, type FaultKind, type FaultSpec } from './fault-spec.ts';

/** How many times each fault was shown; exceptions by two-digit hex code. */
export interface FaultCounts {
  drop: number;
  refused: number;
  latency: number;
  exception: Record<string, number>;
  malformed: number;
  silent: number;
  txid: number;
  reboot: number;
}

/** What the server does with one request. */
export type RequestAction =
  | { kind: 'answer' }
  | { kind: 'drop' }
  | { kind: 'silent' }
  | { kind: 'malformed' }
  | { kind: 'txid' }
  | { kind: 'exception'; code: number };

/** The decision for one request: an optional delay, then an action. */
export interface RequestDecision {
  delayMs: number;
  action: RequestAction;
}

/** Events the server and the device react to. */
export interface FaultListener {
  /** Close every open connection now. */
  dropConnections?(): void;
  /** The device restarts: registers reset, counters continue. */
  rebooted?(): void;
}

/** Default time a rebooting device refuses connections, ms. */
export const DEFAULT_REBOOT_DOWN_MS = 1000;

/** Changes and reports the faults of one device at run time. */
export class FaultController {
  private current: FaultSpec = {};
  private downUntilMs = -Infinity;
  private readonly listeners = new Set<FaultListener>();
  private readonly count: FaultCounts = {
    drop: 0,
    refused: 0,
    latency: 0,
    exception: {},
    malformed: 0,
    silent: 0,
    txid: 0,
    reboot: 0,
  };

  readonly deviceId: string;
  private readonly clock: Clock;
  private readonly prng: Prng;
  constructor(
    /** The device these faults belong to. */
    deviceId: string,
    clock: Clock,
    prng: Prng = new Prng(1),
    initial: FaultSpec = {},
  ) {
    this.deviceId = deviceId;
    this.clock = clock;
    this.prng = prng;
    this.set(initial);
  }

  /** The faults now active. */
  spec(): FaultSpec {
    return structuredClone(this.current);
  }

  /** Turns faults on or off: keys given replace the current ones (validated); others stay. */
  set(patch: FaultSpec): FaultSpec {
    const valid = FaultSpecSchema.parse(patch);
    this.current = { ...this.current, ...valid };
    return this.spec();
  }

  /** Lifts every fault (a reboot in progress still finishes). */
  clear(): void {
    this.current = {};
  }

  /** Closes every open connection of the device now; returns how many listeners acted. */
  dropConnections(): void {
    this.count.drop++;
    for (const listener of this.listeners) listener.dropConnections?.();
  }

  /** Reboots: connections close, new ones are refused for downMs, registers reset, counters continue. */
  reboot(downMs = DEFAULT_REBOOT_DOWN_MS): void {
    this.count.reboot++;
    this.downUntilMs = this.clock.monotonicMs() + downMs;
    for (const listener of this.listeners) listener.dropConnections?.();
    for (const listener of this.listeners) listener.rebooted?.();
  }

  /** Whether the device is down after a reboot. */
  isDown(): boolean {
    return this.clock.monotonicMs() < this.downUntilMs;
  }

  /** Counts of every fault shown so far. */
  counts(): FaultCounts {
    return structuredClone(this.count);
  }

  /** Total of all counted faults. */
  total(): number {
    const exceptions = Object.values(this.count.exception).reduce((a, b) => a + b, 0);
    return (
      exceptions +
      this.count.drop +
      this.count.refused +
      this.count.latency +
      this.count.malformed +
      this.count.silent +
      this.count.txid +
      this.count.reboot
    );
  }

  /** Registers a server or device to be told about drops and reboots; returns the unsubscriber. */
  subscribe(listener: FaultListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whether to accept a new connection, given how many are open. Counts refusals. */
  acceptConnection(openConnections: number): boolean {
    if (this.isDown() || (this.current.singleClient === true && openConnections >= 1)) {
      this.count.refused++;
      return false;
    }
    return true;
  }

  /** Decides how to treat one request. Counts the fault chosen. */
  decideRequest(): RequestDecision {
    const spec = this.current;
    if (spec.silent === true) return this.counted('silent', { delayMs: 0, action: { kind: 'silent' } });
    let delayMs = 0;
    if (spec.latencyMs !== undefined) {
      const latency = spec.latencyMs;
      delayMs = typeof latency === 'number' ? latency : this.prng.between(latency[0], latency[1]);
      if (delayMs > 0) this.count.latency++;
    }
    if (this.prng.chance(spec.dropRate ?? 0))
      return this.counted('drop', { delayMs, action: { kind: 'drop' } });
    if (this.prng.chance(spec.exceptionRate ?? 0)) {
      const code = this.prng.pick(spec.exceptionCodes ?? [6]);
      const key = code.toString(16).padStart(2, '0');
      this.count.exception[key] = (this.count.exception[key] ?? 0) + 1;
      return { delayMs, action: { kind: 'exception', code } };
    }
    if (this.prng.chance(spec.malformedRate ?? 0)) {
      return this.counted('malformed', { delayMs, action: { kind: 'malformed' } });
    }
    if (this.prng.chance(spec.txidMismatchRate ?? 0))
      return this.counted('txid', { delayMs, action: { kind: 'txid' } });
    return { delayMs, action: { kind: 'answer' } };
  }

  private counted(kind: Exclude<FaultKind, 'exception'>, decision: RequestDecision): RequestDecision {
    this.count[kind]++;
    return decision;
  }
}
