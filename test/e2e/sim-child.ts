/**
 * Runs the simulator in its own process for end-to-end tests and the bench, so its work never shares
 * an event loop with the test's. argv[2]: JSON SimulatorOptions (without clock/logger). Prints one
 * JSON line {devices, controlPort} once listening; stops on SIGTERM or when stdin closes.
 */
import { startSimulator, type SimulatorOptions } from '../../modbus_slave/src/simulator.ts';

const options = JSON.parse(process.argv[2] ?? '{}') as SimulatorOptions;
const sim = await startSimulator({ ...options, controlPort: 0 });
process.stdout.write(`${JSON.stringify({ devices: sim.devices, controlPort: sim.controlPort })}\n`);
const stop = async (): Promise<void> => {
  await sim.stop();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.stdin.on('close', () => void stop());
process.stdin.resume();
