/** The shape of one `egw` subcommand; each lives in its own file under commands/ and is listed in commands/index.ts. */
export interface CliCommand {
  /** Subcommand word, e.g. "read". */
  name: string;
  /** One line for `egw --help`. */
  summary: string;
  /** Full text for `egw <name> --help`: usage line and options. */
  usage: string;
  /** Runs the command with the arguments after the subcommand; resolves the process exit code. */
  run(args: string[]): Promise<number>;
}
