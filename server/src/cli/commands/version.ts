/** `egw version`: prints the product and Node.js versions. */
import { parseArgs } from 'node:util';
import type { CliCommand } from '../command.ts';
import { PACKAGE_VERSION } from '../../core/package-version.ts';

/** The `version` subcommand. */
export const versionCommand: CliCommand = {
  name: 'version',
  summary: 'Print the version',
  usage: 'Usage: egw version\n\nPrints the Energy Gateway version and the Node.js version it runs on.',
  run(args, io) {
    parseArgs({ args, options: {}, strict: true });
    io.stdout.write(`egw ${PACKAGE_VERSION} (node ${process.version})\n`);
    return Promise.resolve(0);
  },
};
