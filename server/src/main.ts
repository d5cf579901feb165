/**
 * The composition root of `egw run`: configuration → logger → clock → task engine → gateway → start;
 * SIGINT/SIGTERM → stop the engine (waiting for in-flight runs up to a deadline) → stop the gateway.
 */
import { loadConfig } from './config/load-config.ts';
import { prepareDataDir } from './config/data-dir.ts';
import { SystemClock } from './core/clock.ts';
import { describeError } from './core/errors.ts';
import { createLogger } from './core/logger.ts';
import { LogLevels } from './core/log-levels.ts';
import { Scheduler } from './engine/scheduler.ts';
import { buildGateway } from './gateway/build-gateway.ts';
import { createMetrics } from './observability/metrics.ts';
import { PACKAGE_VERSION } from './core/package-version.ts';

/** How long in-flight task runs may finish after a stop signal, ms. */
export const ENGINE_STOP_DEADLINE_MS = 3000;
/** How long the gateway's own shutdown may take before the process gives up, ms. */
export const GATEWAY_STOP_DEADLINE_MS = 5000;

export interface RunGatewayOptions {
  /** JSON config file (`--config`). */
  configFile?: string;
  /** Environment for EGW_* variables (default process.env). */
  env?: Record<string, string | undefined>;
}

/**
 * Runs the gateway until SIGINT or SIGTERM; resolves the exit code (0 after a clean stop). Throws a
 * ConfigError before anything starts when a setting is invalid.
 */
export async function runGateway(options: RunGatewayOptions = {}): Promise<number> {
  const config = loadConfig({ file: options.configFile, env: options.env });
  config.dataDir = prepareDataDir(config.dataDir);
  const logger = createLogger({ level: config.log.level, pretty: config.log.pretty });
  const clock = new SystemClock();
  // Before any child logger exists, so GET/POST /api/logger reaches every one of them.
  const logLevels = new LogLevels(logger, clock);
  // Observability first: the Scheduler reports every run to the metrics from its first one.
  const metrics = createMetrics();
  const engine = new Scheduler({
    clock,
    logger: logger.child({ area: 'engine' }),
    observer: metrics.taskObserver,
  });
  const stopRequested = waitForStopSignal();

  engine.start();
  let gateway: { stop(): Promise<void> };
  try {
    gateway = await buildGateway({ config, clock, logger, engine, metrics, logLevels });
  } catch (error) {
    await engine.stop(ENGINE_STOP_DEADLINE_MS);
    stopRequested.dispose();
    throw error;
  }
  logger.info({ version: PACKAGE_VERSION, dataDir: config.dataDir, pid: process.pid }, 'egw ready');

  const signal = await stopRequested.promise;
  logger.info({ signal }, 'stopping');
  // A second signal while stopping means "now": exit at once without waiting for the deadlines.
  const onSecond = (again: string): void => {
    logger.warn({ signal: again }, 'second signal, exiting without a clean stop');
    process.exit(1);
  };
  process.once('SIGINT', onSecond);
  process.once('SIGTERM', onSecond);

  const drained = await engine.stop(ENGINE_STOP_DEADLINE_MS);
  if (!drained)
    logger.warn({ deadlineMs: ENGINE_STOP_DEADLINE_MS }, 'task runs aborted at the stop deadline');
  const deadline = new AbortController();
  const stopped = await Promise.race([
    gateway.stop().then(
      () => true,
      (error: unknown) => {
        logger.error({ err: describeError(error) }, 'gateway stop failed');
        return false;
      },
    ),
    clock.sleep(GATEWAY_STOP_DEADLINE_MS, 'gateway-stop-deadline', deadline.signal).then(
      () => {
        logger.error({ deadlineMs: GATEWAY_STOP_DEADLINE_MS }, 'gateway stop did not finish in time');
        return false;
      },
      () => false,
    ),
  ]);
  deadline.abort();
  logger.info({ clean: stopped }, 'stopped');
  logger.flush();
  return stopped ? 0 : 1;
}

/** Resolves with the first SIGINT/SIGTERM received. */
function waitForStopSignal(): { promise: Promise<string>; dispose(): void } {
  let onSignal: (signal: string) => void = () => {};
  const promise = new Promise<string>((resolve) => {
    onSignal = (signal) => {
      dispose();
      resolve(signal);
    };
  });
  const dispose = (): void => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return { promise, dispose };
}
