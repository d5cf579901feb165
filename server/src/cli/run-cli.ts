/**
 * The `egw` command line: dispatches to the subcommands in commands/index.ts (loading only the one
 * that runs), prints help, and turns
 * errors into one line on stderr and an exit code (2 for usage and configuration errors, 1 otherwise).
 */
import { ConfigError, EgwError, describeError } from '../core/errors.ts';
import type { CommandEntry } from './command.ts';
import { commands as registered } from './commands/index.ts';

/** Exit code for a bad command line or configuration. */
export const EXIT_USAGE = 2;

/** The text of `egw --help`. */
export function helpText(commands: CommandEntry[] = registered): string {
  const width = Math.max(...commands.map((c) => c.name.length), 4) + 2;
  return [
    'egw — Energy Gateway',
    '',
    'Usage: egw <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Run `egw <command> --help` for the options of a command.',
    '',
  ].join('\n');
}

const wantsHelp = (args: string[]): boolean => args.includes('--help') || args.includes('-h');

/** Runs `egw` with the given arguments (without node and script); resolves the exit code. */
export async function runCli(argv: string[], commands: CommandEntry[] = registered): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? commands.find((c) => c.name === rest[0]) : undefined;
    process.stdout.write(topic ? `${(await topic.load()).usage.trimEnd()}\n` : helpText(commands));
    return 0;
  }
  if (name === '--version' || name === '-v') return runCli(['version', ...rest], commands);
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    process.stderr.write(`egw: unknown command "${name}"; run \`egw --help\` for the list\n`);
    return EXIT_USAGE;
  }
  const command = await entry.load();
  if (wantsHelp(rest)) {
    process.stdout.write(`${command.usage.trimEnd()}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    const hint = isUsageError(error) && !(error instanceof ConfigError) ? `; see \`egw ${name} --help\`` : '';
    process.stderr.write(`egw ${name}: ${oneLine(error)}${hint}\n`);
    return isUsageError(error) ? EXIT_USAGE : 1;
  }
}

function isUsageError(error: unknown): boolean {
  if (error instanceof ConfigError) return true;
  // node:util parseArgs signals unknown options and missing values with ERR_PARSE_ARGS_* codes.
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

function oneLine(error: unknown): string {
  const prefix = error instanceof ConfigError ? 'invalid configuration: ' : '';
  const text = error instanceof EgwError || error instanceof Error ? error.message : describeError(error);
  return `${prefix}${text.replace(/\s*\n\s*/g, ' ')}`;
}
