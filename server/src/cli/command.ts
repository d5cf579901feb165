/** The shape of one `egw` subcommand; each lives in its own file under commands/ and is listed in commands/index.ts. */
import type { CliIo } from '../core/cli-io.ts';

export interface CliCommand {
  /** Subcommand word, e.g. "read". */
  name: string;
  /** One line for `egw --help`. */
  summary: string;
  /** Full text for `egw <name> --help`: usage line and options. */
  usage: string;
  /**
   * Runs the command with the arguments after the subcommand, writing to `io` (never to process.stdout
   * directly, so tests can run it in-process); resolves the process exit code.
   */
  run(args: string[], io: CliIo): Promise<number>;
}

/** A command as the dispatcher lists it: what `egw --help` shows, and how to load the rest on demand. */
export interface CommandEntry {
  name: string;
  /** The same line as the loaded command's summary (a test keeps them equal). */
  summary: string;
  /** Imports the command's module; called only when the command is run or its usage asked for. */
  load(): Promise<CliCommand>;
}

/** An entry for a command already in memory (tests, and commands defined inline). */
export function entryOf(command: CliCommand): CommandEntry {
  return { name: command.name, summary: command.summary, load: () => Promise.resolve(command) };
}
