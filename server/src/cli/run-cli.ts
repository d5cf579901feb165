/**
 * The `egw` command line: dispatches to the subcommands in commands/index.ts (loading only the one
 * that runs), prints help, and ends like every command line of the project (core/cli-program.ts):
 * one line on stderr and exit code 2 for usage and configuration errors, 1 otherwise.
 */
import { cliIo, type CliIo } from '../core/cli-io.ts';
import { EXIT_USAGE, runProgram } from '../core/cli-program.ts';
import type { CommandEntry } from './command.ts';
import { commands as registered } from './commands/index.ts';

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

/**
 * Runs `egw` with the given arguments (without node and script); resolves the exit code. Output goes
 * to `io` (default: this process's stdout, stderr and environment), so tests run it in-process.
 */
export async function runCli(
  argv: string[],
  io: Partial<CliIo> = {},
  commands: CommandEntry[] = registered,
): Promise<number> {
  const { stdout, stderr } = cliIo(io);
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? commands.find((c) => c.name === rest[0]) : undefined;
    stdout.write(topic ? `${(await topic.load()).usage.trimEnd()}\n` : helpText(commands));
    return 0;
  }
  if (name === '--version' || name === '-v') return runCli(['version', ...rest], io, commands);
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    stderr.write(`egw: unknown command "${name}"; run \`egw --help\` for the list\n`);
    return EXIT_USAGE;
  }
  const command = await entry.load();
  if (wantsHelp(rest)) {
    stdout.write(`${command.usage.trimEnd()}\n`);
    return 0;
  }
  return runProgram(`egw ${name}`, () => command.run(rest, cliIo(io)), `egw ${name} --help`, stderr);
}
