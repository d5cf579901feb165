/**
 * A DeviceReader over a ModbusConnection: reads the profile's blocks (each value in the same request
 * as its scale factor), decodes them with the one generic decoder and stamps the reading. Profiles
 * named `sunspec` or `auto` are found on the device once and cached; when a cached, discovered
 * profile stops fitting (illegal address, undecodable registers) it is discovered again.
 */
import type { Clock } from '../core/clock.ts';
import { ModbusError, ProfileError, TimeoutError, type EgwError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Reading } from '../core/reading.ts';
import { decodeFrequency, decodeReading, type RawBlock } from '../profiles/decode.ts';
import type { ModbusConnection } from '../modbus/modbus-connection.ts';
import { modbusExceptionKind } from '../modbus/modbus-exception-kind.ts';
import { unwrapAccumulators, type AccumulatorState } from '../profiles/accumulator-unwrap.ts';
import {
  plannedBlocks,
  wireFrequencyBlock,
  type PlannedBlock,
  type WireBlock,
} from '../profiles/profile-blocks.ts';
import type { Profile } from '../profiles/profile-schema.ts';
import type { AccumulatorStore } from './accumulator-store.ts';
import type { DeviceReader } from './device-reader.ts';
import type { ConnectionState, DeviceStats } from '../modbus/modbus-observer.ts';
import { copyCapture } from '../profiles/register-capture.ts';
import { CaptureRing, type RegisterCapture } from './capture-ring.ts';
import { frequencyBlockOf } from './frequency-block.ts';
import type { ProfileSource } from './profile-source.ts';
import { unitReader } from './register-reader.ts';

export interface ModbusDeviceReaderOptions {
  id: string;
  unit: number;
  connection: ModbusConnection;
  /** Where the profile comes from: fixed, SunSpec discovery or identification. */
  source: ProfileSource;
  clock: Clock;
  logger: Logger;
  /** Transport named in captures: modbus-tcp (default), modbus-rtu or solarman-v5. */
  protocol?: string;
  /** Close the connection after every poll (devices that accept one client). */
  closeBetweenPolls?: boolean;
  /** Pause before the one retry of a block answered with 05/06 (busy), ms (default 100). */
  busyRetryMs?: number;
  /** Captures kept (default 20). */
  captureLimit?: number;
  /** Where accumulator rollover counts persist across restarts (default: kept in memory only). */
  accumulators?: AccumulatorStore;
}

/** Reads an optional block that was missing is skipped for, before it is asked for again. */
export const OPTIONAL_BLOCK_RETRY_READS = 60;

/** Whether a failed optional block means "the device lacks it": exception 02/03, or no answer. */
function isAbsentBlock(error: unknown): boolean {
  if (error instanceof TimeoutError) return true;
  return error instanceof ModbusError && (error.exceptionCode === 2 || error.exceptionCode === 3);
}

/** Reads one Modbus device into canonical readings. */
export class ModbusDeviceReader implements DeviceReader {
  readonly id: string;
  private readonly options: ModbusDeviceReaderOptions;
  private readonly captures: CaptureRing;
  /** Blocks read once per connection: the raw registers and the link generation they came from. */
  private readonly onceBlocks = new Map<string, { generation: number; block: RawBlock }>();
  /** Optional blocks the device lacked: reads left before asking again. */
  private readonly skipOptional = new Map<string, number>();
  /** Times each optional block was absent, by "fc:start". */
  private readonly absentBlocks: Record<string, number> = {};
  private accumulatorState: AccumulatorState | undefined;
  /** Raw blocks of the last good poll. */
  private lastGood: RegisterCapture | undefined;

  constructor(options: ModbusDeviceReaderOptions) {
    this.options = options;
    this.id = options.id;
    this.captures = new CaptureRing(options.captureLimit ?? 20);
  }

  /** The device's one Modbus connection (shared with its proxy). */
  get connection(): ModbusConnection {
    return this.options.connection;
  }

  /** Whether the connection closes after every poll (config, or a single-client profile). */
  get closeBetweenPolls(): boolean {
    return this.options.closeBetweenPolls ?? false;
  }

  /** The unit read: the configured one, or where `auto` found the device when it searched units. */
  private get unit(): number {
    return this.options.source.foundUnit?.() ?? this.options.unit;
  }

  /** The configured profile id ("sunspec", "auto" or a file profile). */
  get profileId(): string {
    return this.options.source.id;
  }

  async read(signal?: AbortSignal): Promise<Reading> {
    const { clock } = this.options;
    const ts = clock.nowMs();
    const startedMs = clock.monotonicMs();
    try {
      const profile = await this.options.source.resolve(signal);
      const blocks: RawBlock[] = [];
      try {
        for (const block of plannedBlocks(profile)) {
          const raw = await this.readPlanned(profile, block, signal);
          if (raw !== undefined) blocks.push(raw);
        }
      } catch (error) {
        if (error instanceof ModbusError && modbusExceptionKind(error.exceptionCode) === 'address') {
          this.capture(profile, ts, blocks, error);
          this.misfit();
        }
        throw error;
      }
      const decoded = this.decode(profile, ts, blocks);
      this.lastGood = this.captureOf(profile, ts, blocks);
      const readMs = Math.round((clock.monotonicMs() - startedMs) * 10) / 10;
      return { device: this.id, profile: profile.id, ts, read_ms: readMs, ...decoded };
    } finally {
      if (this.options.closeBetweenPolls) await this.options.connection.release();
    }
  }

  async readFrequency(signal?: AbortSignal): Promise<number | undefined> {
    try {
      const profile = await this.options.source.resolve(signal);
      const block = wireFrequencyBlock(profile) ?? frequencyBlockOf(profile);
      if (block === undefined) return undefined;
      return decodeFrequency(profile, await this.readBlock(block, signal));
    } finally {
      if (this.options.closeBetweenPolls) await this.options.connection.release();
    }
  }

  state(): ConnectionState {
    return this.options.connection.state();
  }

  stats(): DeviceStats {
    return {
      ...this.options.connection.stats(),
      captures: this.captures.total,
      absentBlocks: { ...this.absentBlocks },
    };
  }

  /** The kept raw register captures of failed reads, oldest first. */
  registerCaptures(): RegisterCapture[] {
    return this.captures.list();
  }

  /** The raw blocks of the last good poll (for `egw read --capture` and the captures API). */
  lastPoll(): RegisterCapture | undefined {
    return this.lastGood && copyCapture(this.lastGood);
  }

  close(): Promise<void> {
    this.saveAccumulators();
    return this.options.connection.close();
  }

  /**
   * One planned block: from the once-per-connection cache when this link already read it; skipped
   * (undefined) when optional and the device lacks it. Other failures propagate.
   */
  private async readPlanned(
    profile: Profile,
    block: PlannedBlock,
    signal?: AbortSignal,
  ): Promise<RawBlock | undefined> {
    const { connection } = this.options;
    const cacheKey = `${profile.id}:${block.key}:${block.count}`;
    if (block.cadence === 'connection') {
      const cached = this.onceBlocks.get(cacheKey);
      if (cached && connection.state() === 'connected' && cached.generation === connection.generation)
        return cached.block;
    }
    const skip = this.skipOptional.get(cacheKey) ?? 0;
    if (block.optional && skip > 0) {
      this.skipOptional.set(cacheKey, skip - 1);
      return undefined;
    }
    try {
      const raw = await this.readBlock(block, signal);
      if (block.cadence === 'connection')
        this.onceBlocks.set(cacheKey, { generation: connection.generation, block: raw });
      return raw;
    } catch (error) {
      if (!block.optional || !isAbsentBlock(error)) throw error;
      this.absentBlocks[block.key] = (this.absentBlocks[block.key] ?? 0) + 1;
      this.skipOptional.set(cacheKey, OPTIONAL_BLOCK_RETRY_READS);
      this.options.logger.debug(
        { device: this.id, block: block.key, err: (error as Error).message },
        'optional block absent',
      );
      return undefined;
    }
  }

  /** The profile no longer fits: discover again, and forget blocks read under the old one. */
  private misfit(): void {
    this.onceBlocks.clear();
    this.skipOptional.clear();
    this.options.source.misfit();
  }

  /** Counts accumulator rollovers; a new rollover is persisted at once. */
  private unwrap(profile: Profile, blocks: RawBlock[], decoded: Record<string, unknown>): void {
    this.accumulatorState ??= this.options.accumulators?.load(this.id) ?? {};
    if (unwrapAccumulators(profile, blocks, decoded, this.accumulatorState)) this.saveAccumulators();
  }

  private saveAccumulators(): void {
    if (this.accumulatorState === undefined || this.options.accumulators === undefined) return;
    try {
      this.options.accumulators.save(this.id, this.accumulatorState);
    } catch (error) {
      this.options.logger.warn(
        { device: this.id, err: (error as Error).message },
        'accumulator state not saved',
      );
    }
  }

  /** One block; a busy device (05/06) gets one retry after a pause. */
  private async readBlock(block: WireBlock, signal?: AbortSignal): Promise<RawBlock> {
    const read = unitReader(this.options.connection, this.unit);
    let registers: number[];
    try {
      registers = await read(block.function, block.start, block.count, signal);
    } catch (error) {
      if (!(error instanceof ModbusError && modbusExceptionKind(error.exceptionCode) === 'busy')) throw error;
      await this.options.clock.sleep(this.options.busyRetryMs ?? 100, `modbus-busy-retry:${this.id}`, signal);
      registers = await read(block.function, block.start, block.count, signal);
    }
    return { function: block.function, start: block.start, registers };
  }

  private decode(profile: Profile, ts: number, blocks: RawBlock[]): ReturnType<typeof decodeReading> {
    try {
      const decoded = decodeReading(profile, blocks);
      this.unwrap(profile, blocks, decoded as Record<string, unknown>);
      return decoded;
    } catch (error) {
      const failure = new ProfileError(
        `${this.id}: profile ${profile.id}: registers do not decode: ${error instanceof Error ? error.message : String(error)}`,
        { device: this.id },
        error,
      );
      this.capture(profile, ts, blocks, failure);
      this.misfit();
      throw failure;
    }
  }

  private captureOf(profile: Profile, ts: number, blocks: RawBlock[]): RegisterCapture {
    const { protocol = 'modbus-tcp' } = this.options;
    return { device: this.id, protocol, unit: this.unit, profile: profile.id, ts, blocks };
  }

  private capture(profile: Profile, ts: number, blocks: RawBlock[], error: EgwError): void {
    this.captures.add({ ...this.captureOf(profile, ts, blocks), error: error.message });
    this.options.logger.warn(
      { device: this.id, profile: profile.id, err: error.message },
      'read captured for analysis',
    );
  }
}
