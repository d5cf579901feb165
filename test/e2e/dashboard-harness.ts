/**
 * The dashboard test's demo: the simulator (a SunSpec inverter and an SDM630 meter on loopback) and
 * the real gateway wired to it, API on an ephemeral port, data in a temp dir. Like `npm run demo`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type RunningSimulator } from '../../modbus_slave/src/simulator.ts';
import { ConfigSchema } from '../../server/src/config/schema.ts';
import { SystemClock } from '../../server/src/core/clock.ts';
import { silentLogger } from '../../server/src/core/logger.ts';
import { Scheduler } from '../../server/src/engine/scheduler.ts';
import { buildGateway } from '../../server/src/gateway/build-gateway.ts';
import type { RunningGateway } from '../../server/src/gateway/start-gateway.ts';

/** A running demo and how to stop it. */
export interface Demo {
  base: string;
  token: string;
  gateway: RunningGateway;
  simulator: RunningSimulator;
  stop(): Promise<void>;
}

/** Starts simulator + gateway; everything is torn down by stop(), also after a failed start. */
export async function startDemo(): Promise<Demo> {
  const clock = new SystemClock();
  const logger = silentLogger();
  const dir = await mkdtemp(join(tmpdir(), 'egw-dashboard-'));
  const engine = new Scheduler({ clock, logger });
  let simulator: RunningSimulator | undefined;
  let gateway: RunningGateway | undefined;
  const stop = async (): Promise<void> => {
    await engine.stop(3000);
    await gateway?.stop();
    await simulator?.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    simulator = await startSimulator({
      devices: [{ profile: 'sunspec' }, { profile: 'sdm630' }],
      clock,
      logger,
    });
    const config = ConfigSchema.parse({
      dataDir: join(dir, 'data'),
      http: { host: '127.0.0.1', port: 0 },
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
    gateway = await buildGateway({ config, clock, logger, engine });
    return {
      base: `http://127.0.0.1:${gateway.httpPort}`,
      token: gateway.apiToken,
      gateway,
      simulator,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
