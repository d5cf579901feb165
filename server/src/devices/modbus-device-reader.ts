/**
 * A DeviceReader over a ModbusConnection: reads the profile's blocks (each value in the same request
 * as its scale factor), decodes them with the one generic decoder and stamps the reading. Profiles
 * named `sunspec` or `auto` are found on the device once and cached; when a cached, discovered
 * profile stops fitting (illegal address, undecodable registers) it is discovered again.
 */
import type { Clock } from '../core/clock.ts';
import { ModbusError, ProfileError, type EgwError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Reading } from '../core/reading.ts';
import { decodeFrequency, decodeReading, type RawBlock } from '../modbus/decode.ts';
import type { ModbusConnection } from '../modbus/modbus-connection.ts';
import { modbusExceptionKind } from '../modbus/modbus-exception-kind.ts';
import { wireBlocks, wireFrequencyBlock, type WireBlock } from '../profiles/profile-blocks.ts';
import type { Profile } from '../profiles/profile-schema.ts';
import type { ConnectionState, DeviceReader, DeviceStats } from './device-reader.ts';
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
  /** Close the connection after every poll (devices that accept one client). */
  closeBetweenPolls?: boolean;
  /** Pause before the one retry of a block answered with 05/06 (busy), ms (default 100). */
  busyRetryMs?: number;
  /** Captures kept (default 20). */
  captureLimit?: number;
}

/** Reads one Modbus device into canonical readings. */
export class ModbusDeviceReader implements DeviceReader {
  readonly id: string;
  private readonly options: ModbusDeviceReaderOptions;
  private readonly captures: CaptureRing;

  constructor(options: ModbusDeviceReaderOptions) {
    this.options = options;
    this.id = options.id;
    this.captures = new CaptureRing(options.captureLimit ?? 20);
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
        for (const block of wireBlocks(profile)) blocks.push(await this.readBlock(block, signal));
      } catch (error) {
        if (error instanceof ModbusError && modbusExceptionKind(error.exceptionCode) === 'address') {
          this.capture(profile, ts, blocks, error);
          this.options.source.misfit();
        }
        throw error;
      }
      const decoded = this.decode(profile, ts, blocks);
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
    return { ...this.options.connection.stats(), captures: this.captures.total };
  }

  /** The kept raw register captures of failed reads, oldest first. */
  registerCaptures(): RegisterCapture[] {
    return this.captures.list();
  }

  close(): Promise<void> {
    return this.options.connection.close();
  }

  /** One block; a busy device (05/06) gets one retry after a pause. */
  private async readBlock(block: WireBlock, signal?: AbortSignal): Promise<RawBlock> {
    const read = unitReader(this.options.connection, this.options.unit);
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
      return decodeReading(profile, blocks);
    } catch (error) {
      const failure = new ProfileError(
        `${this.id}: profile ${profile.id}: registers do not decode: ${error instanceof Error ? error.message : String(error)}`,
        { device: this.id },
        error,
      );
      this.capture(profile, ts, blocks, failure);
      this.options.source.misfit();
      throw failure;
    }
  }

  private capture(profile: Profile, ts: number, blocks: RawBlock[], error: EgwError): void {
    this.captures.add({ device: this.id, profile: profile.id, ts, blocks, error: error.message });
    this.options.logger.warn(
      { device: this.id, profile: profile.id, err: error.message },
      'read captured for analysis',
    );
  }
}
