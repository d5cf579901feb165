/**
 * `egw settings show|reset`: the settings changed through the API live in egw.db over the config file.
 * `reset` removes them, so the next start runs on the config file and environment alone — the way out
 * when stored settings are wrong (they are also ignored with a warning when they no longer validate).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig } from '../../config/load-config.ts';
import { OutboxSettings } from '../../outbox/outbox-settings.ts';
import { SETTINGS_KEY } from '../../config/settings-store.ts';
import { redactSecrets } from '../../config/redact-secrets.ts';
import type { CliCommand } from '../command.ts';
import { parseAction } from '../parse-action.ts';

/** The `settings` subcommand. */
export const settingsCommand: CliCommand = {
  name: 'settings',
  summary: 'Show or reset the settings changed through the web API',
  usage: [
    'Usage: egw settings show|reset [--config FILE]',
    '',
    'Settings changed through the web API (or over Bluetooth) are stored in egw.db and outrank the',
    'config file and the environment. `show` prints them (passwords masked); `reset` removes them,',
    'so the gateway runs on the config file and environment again. Restart a running gateway after',
    'a reset: it keeps the settings it started with in memory.',
    '',
    'Options:',
    '  -c, --config FILE   JSON config file (for dataDir; EGW_DATA_DIR also works)',
  ].join('\n'),
  async run(args, io) {
    const { action, configFile } = parseAction('settings', args, ['show', 'reset'] as const);
    const config = loadConfig({ file: configFile, env: io.env });
    const path = join(config.dataDir, 'egw.db');
    if (!existsSync(path)) {
      io.stdout.write(`no settings stored (${path} does not exist)\n`);
      return 0;
    }
    const db = new Database(path, { fileMustExist: true });
    try {
      const table = new OutboxSettings(db);
      const stored = table.get(SETTINGS_KEY);
      if (action === 'show') {
        io.stdout.write(`${JSON.stringify(redactSecrets(stored ?? {}), null, 2)}\n`);
        return 0;
      }
      const removed = table.delete(SETTINGS_KEY);
      io.stdout.write(
        removed
          ? `removed the settings stored through the API from ${path}; restart the gateway\n`
          : `no settings stored through the API in ${path}\n`,
      );
      return 0;
    } finally {
      db.close();
    }
  },
};
