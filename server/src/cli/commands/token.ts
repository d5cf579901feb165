/** `egw token`: prints the web API token, creating it in the data directory if absent. */
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/load-config.ts';
import { prepareDataDir } from '../../config/data-dir.ts';
import { loadOrCreateApiToken } from '../../gateway/api-token.ts';
import type { CliCommand } from '../command.ts';

/** The `token` subcommand. */
export const tokenCommand: CliCommand = {
  name: 'token',
  summary: 'Print the web API token (created on first use)',
  usage: [
    'Usage: egw token [--config FILE]',
    '',
    'Prints the Bearer token that mutating web API calls need. It is kept in the data directory',
    '(file api-token, mode 0600) and created if absent; EGW_API_TOKEN overrides it.',
    '',
    'Options:',
    '  -c, --config FILE   JSON config file (for dataDir; EGW_DATA_DIR also works)',
  ].join('\n'),
  run(args) {
    const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' } }, strict: true });
    const config = loadConfig({ file: values.config });
    const token = loadOrCreateApiToken(prepareDataDir(config.dataDir));
    process.stdout.write(`${token}\n`);
    return Promise.resolve(0);
  },
};
