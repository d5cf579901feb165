/** Every `egw` subcommand, in the order `egw --help` lists them. */
import type { CliCommand } from '../command.ts';
import { fleetCommand } from './fleet.ts';
import { ingestServerCommand } from './ingest-server.ts';
import { readCommand } from './read.ts';
import { runCommand } from './run.ts';
import { scanCommand } from './scan.ts';
import { tokenCommand } from './token.ts';
import { versionCommand } from './version.ts';

export const commands: CliCommand[] = [
  runCommand,
  readCommand,
  scanCommand,
  tokenCommand,
  versionCommand,
  fleetCommand,
  ingestServerCommand,
];
