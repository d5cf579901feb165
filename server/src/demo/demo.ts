/**
 * `npm run demo`: the whole product on one machine with no configuration. Starts the simulator in
 * this process (a SunSpec inverter and an SDM630 meter on ephemeral loopback ports) and the gateway
 * wired to it: data in ./.egw/demo, local outbox only (unless EGW_INGEST_URL / EGW_MQTT_URL are set),
 * web API and dashboard on port 5000 (EGW_HTTP_PORT overrides). Ctrl-C stops everything cleanly.
 */
import { join } from 'node:path';
import { loadConfig } from '../config/load-config.ts';
import { runProgram } from '../core/cli-program.ts';
import { describeError } from '../core/errors.ts';
import { createLogger } from '../core/logger.ts';
import { startLocalGateway, type LocalGateway } from './start-local-gateway.ts';

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
  let local: LocalGateway | undefined;
  const batches = { count: 0, lastSeq: 0 };
  try {
    const { devices: _configured, ...settings } = base; // the demo reads the simulator's devices
    const httpHost = env.EGW_HTTP_HOST ? base.http.host : '127.0.0.1';
    local = await startLocalGateway({
      devices: DEMO_PROFILES.map((profile) => ({ profile })),
      config: {
        ...settings,
        dataDir: env.EGW_DATA_DIR ? base.dataDir : join('.egw', 'demo'),
        http: { ...base.http, host: httpHost },
      },
      logger,
    });
    const { gateway, simulator } = local;
    gateway.bus.on('batch', (b) => {
      batches.count++;
      batches.lastSeq = b.seq;
    });
    const host = httpHost === '0.0.0.0' ? 'localhost' : httpHost;
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
    // startLocalGateway has stopped what it had started.
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
  await local.stop();
  log(
    `Stopped cleanly: ${batches.count} batches signed this run (last seq ${batches.lastSeq}), kept in ${local.gateway.dataDir}.`,
  );
  return 0;
}

// A bad EGW_* value is one line on stderr and exit code 2, as for `egw run`.
process.exitCode = await runProgram('demo', main);
