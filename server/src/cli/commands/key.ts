/**
 * `egw key rotate`: creates a new device key on purpose — after the old one was lost, or to retire
 * it. The old key (if any) is kept as `device.key.retired-<time>` (0600). The gateway's next start
 * sees the new serial in the seq ledger's place and begins a new signing epoch (logged, and carried
 * in every batch's JWT header), and seqs continue above every seq signed before.
 */
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { prepareDataDir } from '../../config/data-dir.ts';
import { loadConfig } from '../../config/load-config.ts';
import { SystemClock } from '../../core/clock.ts';
import { createLogger } from '../../core/logger.ts';
import { DEVICE_KEY_FILE, loadOrCreateDeviceKey } from '../../identity/device-key.ts';
import type { CliCommand } from '../command.ts';
import { parseAction } from '../parse-action.ts';

/** The `key` subcommand. */
export const keyCommand: CliCommand = {
  name: 'key',
  summary: 'Rotate the device key (a new gateway identity, on purpose)',
  usage: [
    'Usage: egw key rotate [--config FILE]',
    '',
    'Creates a new device key in the data directory; the old one, if present, is kept as',
    'device.key.retired-<time>. Receivers that pin the public key must be given the new one (printed',
    'here, and served by GET /api/crypto). The next `egw run` starts a new signing epoch: logged, and',
    'carried as "epoch" in the JWT header of every batch; seqs are never reused. Stop the gateway first.',
    '',
    'Options:',
    '  -c, --config FILE   JSON config file (for dataDir; EGW_DATA_DIR also works)',
  ].join('\n'),
  async run(args, io) {
    const { configFile } = parseAction('key', args, ['rotate'] as const);
    const config = loadConfig({ file: configFile, env: io.env });
    const dataDir = prepareDataDir(config.dataDir);
    const logger = createLogger({ level: config.log.level, pretty: false }).child({ area: 'identity' });
    const path = join(dataDir, DEVICE_KEY_FILE);
    let retired: string | undefined;
    let oldSerial: string | undefined;
    if (existsSync(path)) {
      oldSerial = loadOrCreateDeviceKey(dataDir).serial;
      const stamp = new Date(new SystemClock().nowMs()).toISOString().replace(/[:.]/g, '-');
      retired = `${path}.retired-${stamp}`;
      renameSync(path, retired);
    }
    const key = loadOrCreateDeviceKey(dataDir);
    logger.warn(
      { oldSerial, serial: key.serial, retired, publicKey: key.publicKeyHex },
      'device key rotated: a new gateway identity; the next start begins a new signing epoch',
    );
    logger.flush();
    io.stdout.write(
      `new device key: serial ${key.serial}${oldSerial ? ` (was ${oldSerial}; old key kept as ${retired})` : ''}\n` +
        `public key (compressed, hex): ${key.publicKeyHex}\n` +
        'give it to every receiver that pins the key; the next `egw run` begins a new signing epoch\n',
    );
    return 0;
  },
};
