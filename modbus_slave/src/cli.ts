/**
 * `egw-sim`: starts the simulator from the command line, reads control commands from stdin, stops
 * cleanly on SIGINT/SIGTERM. Exit code 2 for a bad command line, 1 when it cannot start.
 */
import { createInterface } from 'node:readline';
import type { LevelWithSilent } from 'pino';
import { describeError } from '../../server/src/core/errors.ts';
import { createLogger } from '../../server/src/core/logger.ts';
import { parseCli, USAGE, type CliSettings } from './cli-options.ts';
import { runCommand } from './control/control-commands.ts';
import { startSimulator } from './simulator.ts';

function readCommands(run: (line: string) => unknown): void {
  const lines = createInterface({ input: process.stdin, terminal: false });
  lines.on('line', (line) => {
    try {
      const answer = run(line);
      if (answer !== undefined) {
        process.stdout.write(`${typeof answer === 'string' ? answer : JSON.stringify(answer)}\n`);
      }
    } catch (error) {
      process.stdout.write(`${JSON.stringify({ error: describeError(error) })}\n`);
    }
  });
}

async function main(argv: string[]): Promise<number> {
  let settings: CliSettings;
  try {
    settings = parseCli(argv);
  } catch (error) {
    process.stderr.write(`egw-sim: ${describeError(error)}\n(egw-sim --help for usage)\n`);
    return 2;
  }
  if (settings.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const logger = createLogger({
    name: 'egw-sim',
    level: (settings.logLevel as LevelWithSilent | undefined) ?? 'info',
  });
  let sim;
  try {
    sim = await startSimulator({ ...settings.options, serial: settings.serial, logger });
  } catch (error) {
    process.stderr.write(`egw-sim: cannot start: ${describeError(error)}\n`);
    return 1;
  }
  if (settings.readyJson) {
    process.stdout.write(
      `${JSON.stringify({ ready: true, devices: sim.devices, controlPort: sim.controlPort })}\n`,
    );
  }
  if (settings.stdin) readCommands((line) => runCommand(sim, line));
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  logger.info('stopping');
  await sim.stop();
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
// stdin may keep the event loop alive; everything else is closed by now.
process.stdin.destroy();
