/** `egw profiles`: the profile ids a device may name, with kind, default unit and port, battery and meter. */
import { parseArgs } from 'node:util';
import { summarizeProfiles, type ProfileSummary } from '../../profiles/profile-summary.ts';
import { ProfileRegistry } from '../../profiles/profile-registry.ts';
import type { CliCommand } from '../command.ts';

const yesNo = (value: boolean): string => (value ? 'yes' : '—');

/** The summaries as an aligned table, one profile a line. */
export function formatProfiles(rows: readonly ProfileSummary[]): string {
  const table = [
    ['ID', 'KIND', 'UNIT', 'PORT', 'BATTERY', 'METER', 'AUTO', 'MAKE'],
    ...rows.map((r) => [
      r.id,
      r.kind,
      String(r.unit),
      String(r.port),
      yesNo(r.battery),
      yesNo(r.meter),
      yesNo(r.identify),
      r.make,
    ]),
  ];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  return table
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '))
    .join('\n');
}

/** The `profiles` subcommand. */
export const profilesCommand: CliCommand = {
  name: 'profiles',
  summary: 'List the profile ids with kind, default unit and port, battery and meter',
  usage: [
    'Usage: egw profiles [--json] [--profiles-dir DIR]',
    '',
    'Lists every profile id `egw read --profile`, `egw scan` and the config accept: kind, the unit id',
    'and TCP port used when a device names none, whether it reads a battery and a grid meter, and',
    'whether `--profile auto` can recognise it (AUTO).',
    '',
    'Options:',
    '  --json              print a JSON array instead of a table',
    '  --profiles-dir DIR  also list the profile files in DIR (YAML or JSON)',
  ].join('\n'),
  run(args, io) {
    const { values } = parseArgs({
      args,
      options: { json: { type: 'boolean' }, 'profiles-dir': { type: 'string' } },
      strict: true,
    });
    const registry = ProfileRegistry.load(values['profiles-dir'] ? { extraDir: values['profiles-dir'] } : {});
    const rows = summarizeProfiles(registry);
    io.stdout.write(values.json ? `${JSON.stringify(rows)}\n` : `${formatProfiles(rows)}\n`);
    return Promise.resolve(0);
  },
};
