/** `egw ingest-server`: the reference ingest receiver for development and backend authors. */
import { parseArgs } from 'node:util';
import { numberOption } from '../../core/cli-program.ts';
import { ConfigError } from '../../core/errors.ts';
import { createLogger } from '../../core/logger.ts';
import type { KeySource } from '../../ingest/ingest-keys.ts';
import { startIngestServer } from '../../ingest/ingest-server.ts';
import type { CliCommand } from '../command.ts';

const USAGE = [
  'Usage: egw ingest-server [--port P] [--host H] [--out FILE.jsonl]',
  '                         [--public-key HEX | --gateway URL] [--fail-rate R] [--delay-ms D]',
  '',
  'Receives signed batches (POST, Content-Type: application/jwt), verifies each ES256K signature,',
  'stores each Idempotency-Key once (repeats answered 200, not stored again) as JSON lines, and',
  'serves GET /stats (received, stored, duplicates, gaps and last seq per gateway serial).',
  'Runs until SIGINT or SIGTERM.',
  '',
  'Options:',
  '  --port P           port (default 8080; 0 = any free port)',
  '  --host H           address to listen on (default 127.0.0.1)',
  '  --out FILE         JSON-lines file; read back on start so repeats stay recognised (default: memory)',
  '  --public-key HEX   accept only this gateway (compressed secp256k1 key, as GET /api/crypto shows it)',
  '  --gateway URL      fetch the key from the gateway’s GET /api/crypto',
  '                     (neither: trust on first use — the key is recovered from the first signature and',
  '                     must hash to the serial in the header; for development only)',
  '  --fail-rate R      answer this share of batches with 500 (0–1), to exercise retries',
  '  --delay-ms D       answer each batch after D ms',
].join('\n');

/** The `ingest-server` subcommand. */
export const ingestServerCommand: CliCommand = {
  name: 'ingest-server',
  summary: 'Run the reference ingest receiver (verifies, de-duplicates and stores batches)',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      strict: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        out: { type: 'string' },
        'public-key': { type: 'string' },
        gateway: { type: 'string' },
        'fail-rate': { type: 'string' },
        'delay-ms': { type: 'string' },
      },
    });
    if (values['public-key'] && values.gateway)
      throw new ConfigError('give --public-key or --gateway, not both', 'public-key');
    const keys: KeySource = values['public-key']
      ? { kind: 'fixed', publicKeyHex: values['public-key'] }
      : values.gateway
        ? { kind: 'gateway', url: values.gateway }
        : { kind: 'tofu' };
    const logger = createLogger({ name: 'egw-ingest' });
    if (keys.kind === 'tofu')
      logger.warn('no --public-key or --gateway: trusting each gateway key on first use (development only)');
    const server = await startIngestServer({
      port: numberOption('port', values.port, 0, 65535) ?? 8080,
      host: values.host ?? '127.0.0.1',
      outFile: values.out,
      keys,
      logger,
      behaviour: {
        failRate: numberOption('fail-rate', values['fail-rate'], 0, 1),
        delayMs: numberOption('delay-ms', values['delay-ms'], 0, 600_000),
      },
    });
    io.stdout.write(`ingest receiver on ${server.url} (stats: ${server.url}stats)\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await server.stop();
    const stats = server.stats();
    io.stdout.write(
      `${JSON.stringify({ received: stats.received, stored: stats.stored, duplicates: stats.duplicates })}\n`,
    );
    return 0;
  },
};
