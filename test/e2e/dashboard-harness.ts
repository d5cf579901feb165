/**
 * The dashboard test's demo: the simulator (a SunSpec inverter and an SDM630 meter on loopback) and
 * the real gateway wired to it, API on an ephemeral port, data in a temp dir. Like `npm run demo`.
 */
import type { RunningGateway } from '../../server/src/gateway/start-gateway.ts';
import { startLocalGateway, type LocalSimulator } from '../../server/src/demo/start-local-gateway.ts';

/** A running demo and how to stop it. */
export interface Demo {
  base: string;
  token: string;
  gateway: RunningGateway;
  simulator: LocalSimulator;
  stop(): Promise<void>;
}

/** Starts simulator + gateway; everything is torn down by stop(), also after a failed start. */
export async function startDemo(): Promise<Demo> {
  const { gateway, simulator, stop } = await startLocalGateway({
    devices: [{ profile: 'sunspec' }, { profile: 'sdm630' }],
  });
  return {
    base: `http://127.0.0.1:${gateway.httpPort}`,
    token: gateway.apiToken,
    gateway,
    simulator,
    stop,
  };
}
