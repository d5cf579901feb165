/**
 * `npm run demo`: the whole product on one machine with no configuration. Starts the simulator in
 * this process (a SunSpec inverter and an SDM630 meter on ephemeral loopback ports) and the gateway
 * wired to it: data in ./.egw/demo, local outbox only (unless EGW_INGEST_URL / EGW_MQTT_URL are set),
 * web API and dashboard on port 5000 (EGW_HTTP_PORT overrides). Ctrl-C stops everything cleanly.
 */
import { join } from 'node:path';
import { startSimulator, type RunningSimulator } from '../../modbus_slave/src/simulator.ts';
import { loadConfig } from './config/load-config.ts';
import { ConfigSchema } from './config/schema.ts';
import { SystemClock } from './core/clock.ts';
import { describeError } from './core/errors.ts';
import { createLogger } from './core/logger.ts';
import { Scheduler } from './engine/scheduler.ts';
import { buildGateway } from './gateway/build-gateway.ts';
import { TaskObserverRelay } from './gateway/task-observer-relay.ts';
import type { RunningGateway } from './gateway/start-gateway.ts';

/** Simulated devices of the demo: profile ids the simulator serves. */
export const DEMO_PROFILES = ['sunspec', 'sdm630'] as const;

const env = process.env;
const log = (line = ''): void => void process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  // Defaults < EGW_* environment; the demo only fills in what the environment leaves open.
  const base = loadConfig({ env });
  const logger = createLogger({
    level: env.EGW_LOG_LEVEL ? base.log.level : 'warn',
    pretty: base.log.pretty,
  });
  const clock = new SystemClock();
  let simulator: RunningSimulator | undefined;
  let gateway: RunningGateway | undefined;
  const batches = { count: 0, lastSeq: 0 };
  const taskObserver = new TaskObserverRelay();
  const engine = new Scheduler({ clock, logger: logger.child({ area: 'engine' }), observer: taskObserver });
  const shutdown = async (): Promise<void> => {
    await engine.stop(3000);
    await gateway?.stop();
    await simulator?.stop();
  };
  try {
    simulator = await startSimulator({
      devices: DEMO_PROFILES.map((profile) => ({ profile })),
      clock,
      logger: logger.child({ area: 'simulator' }),
    });
    const config = ConfigSchema.parse({
      ...base,
      dataDir: env.EGW_DATA_DIR ? base.dataDir : join('.egw', 'demo'),
      http: { ...base.http, host: env.EGW_HTTP_HOST ? base.http.host : '127.0.0.1' },
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
    gateway = await buildGateway({ config, clock, logger, engine, taskObserver });
    gateway.bus.on('batch', (b) => {
      batches.count++;
      batches.lastSeq = b.seq;
    });
    const host = config.http.host === '0.0.0.0' ? 'localhost' : config.http.host;
    log();
    log('Energy Gateway demo is running (simulated devices, local outbox).');
    log(`  dashboard   http://${host}:${gateway.httpPort}/`);
    log(`  API docs    http://${host}:${gateway.httpPort}/docs`);
    log(`  serial      ${gateway.serial}`);
    log(`  API token   ${gateway.apiToken}   (Authorization: Bearer … for POST calls)`);
    log(`  data dir    ${gateway.dataDir}`);
    for (const d of simulator.devices)
      log(`  device      ${d.id} (${d.profile}) at ${d.host}:${d.port} unit ${d.unit}`);
    log(
      `  try         curl http://${host}:${gateway.httpPort}/api/devices/${simulator.devices[0]!.id}/reading`,
    );
    log('Press Ctrl-C to stop.');
  } catch (error) {
    await shutdown();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      log(`Port ${base.http.port} is already in use. Start the demo on another port, e.g.:`);
      log(`  EGW_HTTP_PORT=${base.http.port + 1} npm run demo`);
      return 1;
    }
    log(`demo: cannot start: ${describeError(error)}`);
    return 1;
  }
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  log(`\n${signal}: stopping (sealing the open batches)…`);
  await shutdown();
  log(
    `Stopped cleanly: ${batches.count} batches signed this run (last seq ${batches.lastSeq}), kept in ${gateway?.dataDir}.`,
  );
  return 0;
}

process.exitCode = await main();
