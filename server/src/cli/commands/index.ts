/** Every `egw` subcommand, in the order `egw --help` lists them. */
import type { CliCommand } from '../command.ts';

export const commands: CliCommand[] = [];
