/** Every `egw` subcommand, in the order `egw --help` lists them. */
import type { CliCommand } from '../command.ts';
import { readCommand } from './read.ts';
import { runCommand } from './run.ts';
import { tokenCommand } from './token.ts';
import { versionCommand } from './version.ts';

export const commands: CliCommand[] = [runCommand, readCommand, tokenCommand, versionCommand];
