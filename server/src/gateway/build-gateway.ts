/**
 * Builds the running gateway from its context and starts it. Called by the composition root
 * (server/src/main.ts) after the engine has started; the returned stop() is called after the engine
 * stopped. The wiring itself lives in start-gateway.ts; this file picks the production parts.
 */
import { join } from 'node:path';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { LogLevels } from '../core/log-levels.ts';
import type { Config } from '../config/schema.ts';
import { fileAccumulatorStore } from '../devices/accumulator-store.ts';
import { openDeviceReader } from '../devices/open-device-reader.ts';
import { Backoff } from '../core/backoff.ts';
import type { Scheduler } from '../engine/scheduler.ts';
import { createWifiManager } from '../wifi/create-wifi-manager.ts';
import { startGateway, type RunningGateway } from './start-gateway.ts';
import { createUplinks } from '../uplink/create-uplinks.ts';
import type { GatewayMetrics } from '../observability/metrics.ts';

/**
 * Longest pause between reconnect attempts of a device's Modbus connection, ms. Kept below the
 * harvest backoff cap (5 s) so a device that comes back is read again within 10 s.
 */
export const RECONNECT_MAX_MS = 2000;

/** Builds and starts the gateway; resolves a handle whose stop() drains and releases everything. */
export async function buildGateway(ctx: {
  config: Config;
  clock: Clock;
  logger: Logger;
  engine: Scheduler;
  /** The metrics whose task observer the Scheduler was built with, so task runs reach /metrics (optional). */
  metrics?: GatewayMetrics;
  /** Run-time log levels made on the root logger (see start-gateway.ts). */
  logLevels?: LogLevels;
}): Promise<RunningGateway> {
  const { clock, logger } = ctx;
  return startGateway(ctx, {
    openReader: (device, { profiles, observer, dataDir }) =>
      openDeviceReader(device, {
        clock,
        logger,
        profiles,
        observer,
        accumulators: fileAccumulatorStore(join(dataDir, 'accumulators')),
        backoff: new Backoff({ initialMs: 250, maxMs: RECONNECT_MAX_MS }),
      }),
    createUplinks: (settings, { serial, bus, deviceIds, notifications }) =>
      createUplinks(settings, { serial, bus, clock, logger, deviceIds, notifications }),
    wifi: createWifiManager({ clock, logger: logger.child({ area: 'wifi' }) }),
  });
}
