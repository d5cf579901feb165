/** `egw token`: prints the web API token (or with --pin the BLE provisioning PIN), creating it if absent. */
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/load-config.ts';
import { prepareDataDir } from '../../config/data-dir.ts';
import { loadOrCreateApiToken, loadOrCreateBlePin } from '../../config/gateway-secrets.ts';
import type { CliCommand } from '../command.ts';

/** The `token` subcommand. */
export const tokenCommand: CliCommand = {
  name: 'token',
  summary: 'Print the web API token (created on first use)',
  usage: [
    'Usage: egw token [--pin] [--config FILE]',
    '',
    'Prints the Bearer token that mutating web API calls need. It is kept in the data directory',
    '(file api-token, mode 0600) and created if absent; EGW_API_TOKEN overrides it.',
    'With --pin, prints the 6-digit PIN a phone proves over Bluetooth instead (file ble-pin, 0600;',
    'EGW_BLE_PIN overrides it) — for the label printed on the box.',
    '',
    'Options:',
    '      --pin           print the BLE provisioning PIN',
    '  -c, --config FILE   JSON config file (for dataDir; EGW_DATA_DIR also works)',
  ].join('\n'),
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: { config: { type: 'string', short: 'c' }, pin: { type: 'boolean' } },
      strict: true,
    });
    const config = loadConfig({ file: values.config, env: io.env });
    const dataDir = prepareDataDir(config.dataDir);
    const secret = values.pin ? loadOrCreateBlePin(dataDir, io.env) : loadOrCreateApiToken(dataDir, io.env);
    io.stdout.write(`${secret}\n`);
    return 0;
  },
};
