/**
 * The real gateway wiring (startGateway: data directory, identity, outbox, settings, API) over fake
 * device readers on the system clock: no simulator, so tests about storage, identity, settings and
 * the API under load start in milliseconds. The scheduler reports every run to `observer`.
 */
import { ConfigSchema, type ConfigInput } from '../../../server/src/config/schema.ts';
import { SystemClock } from '../../../server/src/core/clock.ts';
import { pino } from 'pino';
import { REDACTED_PATHS, silentLogger, type Logger } from '../../../server/src/core/logger.ts';
import { Scheduler } from '../../../server/src/engine/scheduler.ts';
import type { TaskObserver } from '../../../server/src/engine/task.ts';
import {
  startGateway,
  type GatewayParts,
  type RunningGateway,
} from '../../../server/src/gateway/start-gateway.ts';
import { createMetrics } from '../../../server/src/observability/metrics.ts';
import { createWifiManager } from '../../../server/src/wifi/create-wifi-manager.ts';
import { FakeDeviceReader } from '../../fakes/fake-device-reader.ts';

/** A started fake-device gateway and how to stop it (engine first, as egw run does). */
export interface FakeDeviceGateway {
  gateway: RunningGateway;
  stop(): Promise<void>;
}

/** `devices` fake TCP devices named d0…; `config` on top (dataDir is required). */
export async function startFakeDeviceGateway(options: {
  config: ConfigInput & { dataDir: string };
  devices?: number;
  observer?: TaskObserver;
  logger?: Logger;
  /** Default: none (a local outbox); pass the production createUplinks to build real ones. */
  createUplinks?: GatewayParts['createUplinks'];
}): Promise<FakeDeviceGateway> {
  const clock = new SystemClock();
  const logger = options.logger ?? silentLogger();
  const devices = Array.from({ length: options.devices ?? 0 }, (_, i) => ({
    id: `d${i}`,
    type: 'tcp' as const,
    host: '127.0.0.1',
    profile: 'sunspec',
  }));
  const config = ConfigSchema.parse({
    http: { host: '127.0.0.1', port: 0 },
    ...options.config,
    devices,
  });
  // As in egw run: the engine reports to the gateway's metrics (and so to the API's load shedder),
  // built first, and here also to the test's observer.
  const metrics = createMetrics();
  const observer: TaskObserver = {
    runFinished: (report) => {
      metrics.taskObserver.runFinished?.(report);
      options.observer?.runFinished?.(report);
    },
    overrun: (kind, name) => {
      metrics.taskObserver.overrun?.(kind, name);
      options.observer?.overrun?.(kind, name);
    },
  };
  const engine = new Scheduler({ clock, logger: silentLogger(), observer });
  engine.start();
  try {
    const gateway = await startGateway(
      { config, clock, logger, engine, metrics },
      {
        openReader: (device) => new FakeDeviceReader(clock, { id: device.id }),
        createUplinks: options.createUplinks ?? (() => Promise.resolve([])),
        wifi: createWifiManager({ clock }),
      },
    );
    return {
      gateway,
      stop: async () => {
        await engine.stop(3000);
        await gateway.stop();
      },
    };
  } catch (error) {
    await engine.stop(0);
    throw error;
  }
}

/** A logger at `level` whose JSON lines land in `lines` (parsed), for asserting what was logged. */
export function captureLogger(level: 'error' | 'warn' | 'info' | 'debug' = 'info'): {
  logger: Logger;
  lines: Record<string, unknown>[];
} {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
    { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { logger, lines };
}
