/**
 * The whole product in one process against simulated devices: the Modbus simulator (in this process,
 * or one started elsewhere, e.g. a child process), the task engine and the real gateway wiring
 * (buildGateway) reading the simulator over loopback. Used by `npm run demo`, the dashboard and MQTT
 * tests and the benchmarks, so they all run the same composition as `egw run`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startSimulator,
  type SimDeviceInfo,
  type SimDeviceSpec,
} from '../../../modbus_slave/src/simulator.ts';
import { ConfigSchema, type ConfigInput } from '../config/schema.ts';
import { SystemClock, type Clock } from '../core/clock.ts';
import { silentLogger, type Logger } from '../core/logger.ts';
import { Scheduler } from '../engine/scheduler.ts';
import type { TaskObserver, TaskRunReport } from '../engine/task.ts';
import { buildGateway } from '../gateway/build-gateway.ts';
import type { RunningGateway } from '../gateway/start-gateway.ts';
import { createMetrics } from '../observability/metrics.ts';

/** How long in-flight task runs may finish when the local gateway stops, ms (as in `egw run`). */
export const LOCAL_ENGINE_STOP_DEADLINE_MS = 3000;

/** A simulator the local gateway reads: its devices' endpoints and how to stop it. */
export interface LocalSimulator {
  devices: SimDeviceInfo[];
  stop(): Promise<void>;
}

/** What to start; the simulator is either started here (`devices`) or handed in (`simulator`). */
export type LocalGatewayOptions = (
  | {
      /** Devices the in-process simulator serves, e.g. [{ profile: 'sunspec' }]. */
      devices: SimDeviceSpec[];
      simulator?: undefined;
    }
  | {
      /** An already started simulator (e.g. a child process); owned from here on: stop() stops it. */
      simulator: LocalSimulator;
      devices?: undefined;
    }
) & {
  /**
   * Config input on top of the defaults; `devices` is filled in from the simulator. Defaults here:
   * http on 127.0.0.1, ephemeral port; dataDir in a fresh temp dir that stop() removes.
   */
  config?: Omit<ConfigInput, 'devices'>;
  clock?: Clock;
  /** Default: silent. */
  logger?: Logger;
  /** Also sees every task run (benchmarks measure start lag with it); /metrics sees them anyway. */
  observer?: TaskObserver;
};

/** A running local gateway; stop() stops engine, gateway and simulator and removes a temp data dir. */
export interface LocalGateway {
  gateway: RunningGateway;
  engine: Scheduler;
  simulator: LocalSimulator;
  stop(): Promise<void>;
}

/**
 * Starts simulator, engine and gateway; on a failed start everything already running is stopped
 * again before the error is rethrown.
 */
export async function startLocalGateway(options: LocalGatewayOptions): Promise<LocalGateway> {
  const clock = options.clock ?? new SystemClock();
  const logger = options.logger ?? silentLogger();
  // As in main.ts: the metrics are built first and observe every task run from the start.
  const metrics = createMetrics();
  const engine = new Scheduler({
    clock,
    logger: logger.child({ area: 'engine' }),
    observer: options.observer ? fanOut(metrics.taskObserver, options.observer) : metrics.taskObserver,
  });
  let simulator = options.simulator;
  let gateway: RunningGateway | undefined;
  let tempDir: string | undefined;
  const stop = async (): Promise<void> => {
    await engine.stop(LOCAL_ENGINE_STOP_DEADLINE_MS);
    await gateway?.stop();
    await simulator?.stop();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  };
  try {
    simulator ??= await startSimulator({
      devices: options.devices!,
      clock,
      logger: logger.child({ area: 'simulator' }),
    });
    const input = options.config ?? {};
    if (input.dataDir === undefined) tempDir = await mkdtemp(join(tmpdir(), 'egw-local-'));
    const config = ConfigSchema.parse({
      ...input,
      dataDir: input.dataDir ?? join(tempDir!, 'data'),
      http: input.http ?? { host: '127.0.0.1', port: 0 },
      devices: simulator.devices.map((d) => ({
        id: d.id,
        type: 'tcp',
        host: d.host,
        port: d.port,
        unit: d.unit,
        profile: d.profile,
      })),
    });
    engine.start();
    gateway = await buildGateway({ config, clock, logger, engine, metrics });
    return { gateway, engine, simulator, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** One TaskObserver that reports to both. */
function fanOut(a: TaskObserver, b: TaskObserver): TaskObserver {
  return {
    runFinished: (report: TaskRunReport) => {
      a.runFinished?.(report);
      b.runFinished?.(report);
    },
    overrun: (kind: string, name: string) => {
      a.overrun?.(kind, name);
      b.overrun?.(kind, name);
    },
  };
}
