/** `egw run`: starts the gateway daemon and runs until SIGINT or SIGTERM. */
import { parseArgs } from 'node:util';
import type { CliCommand } from '../command.ts';

/** The `run` subcommand. */
export const runCommand: CliCommand = {
  name: 'run',
  summary: 'Start the gateway daemon',
  usage: [
    'Usage: egw run [--config FILE]',
    '',
    'Starts the gateway: reads the configured devices, signs harvests, delivers them and serves the',
    'web API. Stops cleanly on SIGINT or SIGTERM. Settings: defaults < config file < EGW_* environment',
    '(see the configuration reference in README.md). Exits with code 2 on an invalid setting.',
    '',
    'Options:',
    '  -c, --config FILE   JSON config file',
  ].join('\n'),
  async run(args, io) {
    const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' } }, strict: true });
    // Loaded on demand: the whole gateway (koa, SQLite, mqtt…) is not needed for `egw --help`.
    const { runGateway } = await import('../../main.ts');
    return runGateway({ configFile: values.config, env: io.env });
  },
};
