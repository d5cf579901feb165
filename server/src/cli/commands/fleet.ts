/** `egw fleet`: a balena fleet's gateways and fleet-wide configuration, over balena-sdk. */
import { parseArgs } from 'node:util';
import { ValidationError } from '../../core/errors.ts';
import type { FleetDevice } from '../../fleet/fleet-client.ts';
import type { CliCommand } from '../command.ts';

// balena-sdk is heavy to load: it is imported only when the command runs, so every other `egw` start stays fast.
const DEFAULT_BALENA_API_URL = 'https://api.balena-cloud.com';

const USAGE = [
  'Usage: egw fleet list --fleet ORG/FLEET [--json]',
  '       egw fleet env --fleet ORG/FLEET EGW_KEY=VALUE…',
  '',
  'Lists the gateways of a balena fleet (online state, last seen, gateway serial from the',
  '"egw.serial" device tag, running release), or sets fleet-wide EGW_* variables after checking',
  'each against the configuration schema. The API key comes from BALENA_API_KEY.',
  '',
  'Options:',
  '  --fleet ORG/FLEET   the fleet slug',
  `  --api-url URL       balena API (default ${DEFAULT_BALENA_API_URL}; openBalena: your own)`,
  '  --json              list as JSON',
].join('\n');

/** The `fleet` subcommand. */
export const fleetCommand: CliCommand = {
  name: 'fleet',
  summary: 'List a balena fleet’s gateways or set fleet-wide configuration',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { fleet: { type: 'string' }, 'api-url': { type: 'string' }, json: { type: 'boolean' } },
      strict: true,
    });
    const [action, ...rest] = positionals;
    if (action !== 'list' && action !== 'env') {
      throw new ValidationError(`expected "list" or "env", got "${action ?? ''}"`, 'action');
    }
    if (!values.fleet) throw new ValidationError('--fleet ORG/FLEET is required', 'fleet');
    const apiKey = io.env.BALENA_API_KEY;
    if (!apiKey) throw new ValidationError('set BALENA_API_KEY to a balena API key', 'BALENA_API_KEY');
    const { FleetClient } = await import('../../fleet/fleet-client.ts');
    const client = new FleetClient(apiKey, values['api-url'] ?? DEFAULT_BALENA_API_URL);
    if (action === 'list') {
      const devices = await client.list(values.fleet);
      io.stdout.write(values.json ? `${JSON.stringify(devices)}\n` : formatDevices(devices));
      return 0;
    }
    const assignments = parseAssignments(rest);
    await client.setEnv(values.fleet, assignments);
    io.stdout.write(`set ${Object.keys(assignments).join(', ')} on ${values.fleet}\n`);
    return 0;
  },
};

function parseAssignments(words: string[]): Record<string, string> {
  if (words.length === 0) throw new ValidationError('give at least one EGW_KEY=VALUE', 'assignments');
  const assignments: Record<string, string> = {};
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq <= 0) throw new ValidationError(`"${word}" is not KEY=VALUE`, 'assignments');
    assignments[word.slice(0, eq)] = word.slice(eq + 1);
  }
  return assignments;
}

/** A fixed-width table of a fleet's gateways. */
export function formatDevices(devices: FleetDevice[]): string {
  const rows = devices.map((d) => [
    d.name,
    d.uuid.slice(0, 7),
    d.online ? 'online' : 'offline',
    d.lastSeen ?? '-',
    d.serial ?? '-',
    d.release ?? '-',
  ]);
  const header = ['NAME', 'UUID', 'STATE', 'LAST SEEN', 'SERIAL', 'RELEASE'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return (
    [header, ...rows]
      .map((r) =>
        r
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}
