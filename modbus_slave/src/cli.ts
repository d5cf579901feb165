/**
 * `egw-sim`: starts the simulator from the command line, reads control commands from stdin, stops
 * cleanly on SIGINT/SIGTERM. Ends like every command line of the project (core/cli-program.ts): exit 2
 * with one line on stderr for a bad command line or scenario, 1 when it cannot start.
 */
import { createInterface } from 'node:readline';
import type { LevelWithSilent } from 'pino';
import { EXIT_OK, runProgram } from '../../server/src/core/cli-program.ts';
import { describeError } from '../../server/src/core/errors.ts';
import { createLogger } from '../../server/src/core/logger.ts';
import { parseCli, USAGE } from './cli-options.ts';
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
  const settings = parseCli(argv);
  if (settings.help) {
    process.stdout.write(USAGE);
    return EXIT_OK;
  }
  const logger = createLogger({
    name: 'egw-sim',
    level: (settings.logLevel as LevelWithSilent | undefined) ?? 'info',
  });
  const sim = await startSimulator({ ...settings.options, serial: settings.serial, logger });
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
  return EXIT_OK;
}

process.exitCode = await runProgram('egw-sim', () => main(process.argv.slice(2)), 'egw-sim --help');
// stdin may keep the event loop alive; everything else is closed by now.
process.stdin.destroy();
