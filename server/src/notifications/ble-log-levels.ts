/**
 * egw-ble's log level at run time, the `ble` part of GET/POST /api/logger. egw-ble is a separate
 * process with its own loggers and clock, so the gateway only relays: the level and its revert time
 * live in egw-ble (GET/POST /logger on its control socket), which reverts on its own clock — also when
 * the gateway restarts meanwhile.
 */
import type { LevelWithSilent } from 'pino';
import type { Clock } from '../core/clock.ts';
import { EgwError } from '../core/errors.ts';
import type { LogOverride } from '../core/log-levels.ts';
import { bleControlRequest, type BleControlAnswer } from './ble-control.ts';

/** egw-ble's configured level and its override (at most one: the part is the whole process). */
export interface BleLogView {
  configured: LevelWithSilent;
  overrides: LogOverride[];
}

/** The `ble` part was asked for while egw-ble does not run: 503, naming the part. */
export class BleNotRunning extends EgwError {
  constructor(why: string) {
    super('ble_not_running', `part "ble": ${why}, so its log level cannot change`, {
      where: { field: 'part' },
      status: 503,
      expose: true,
    });
  }
}

/** Relays log-level changes of the `ble` part to egw-ble's control socket. */
export class BleLogLevels {
  private readonly dataDir: string;
  private readonly clock: Clock;

  constructor(dataDir: string, clock: Clock) {
    this.dataDir = dataDir;
    this.clock = clock;
  }

  /** egw-ble's levels; undefined when it does not run. */
  async view(): Promise<BleLogView | undefined> {
    const answer = await bleControlRequest(this.dataDir, this.clock, 'GET', '/logger');
    return answer?.status === 200 ? (answer.body as BleLogView) : undefined;
  }

  /** Sets egw-ble's level for durationMs ("default" reverts now); throws when egw-ble does not run. */
  async set(level: LevelWithSilent | 'default', durationMs: number): Promise<BleLogView> {
    const answer = await bleControlRequest(this.dataDir, this.clock, 'POST', '/logger', {
      level,
      durationMs,
    });
    return this.checked(answer);
  }

  private checked(answer: BleControlAnswer | undefined): BleLogView {
    if (answer === undefined) {
      throw new BleNotRunning('the BLE service (egw-ble) is not running on this box');
    }
    if (answer.status !== 200) {
      const message = (answer.body as { error?: { message?: string } }).error?.message;
      throw new EgwError('ble_logger_failed', `part "ble": egw-ble refused the level: ${message}`, {
        where: { field: 'part' },
        status: 502,
        expose: true,
      });
    }
    return answer.body as BleLogView;
  }
}
