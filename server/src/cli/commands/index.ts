/**
 * Every `egw` subcommand, in the order `egw --help` lists them. Only names and summaries live here: a
 * command's module (and everything it imports) is loaded when that command runs, so `egw --help` and
 * `egw version` start in a few milliseconds more than bare Node.
 */
import type { CommandEntry } from '../command.ts';

export const commands: CommandEntry[] = [
  {
    name: 'run',
    summary: 'Start the gateway daemon',
    load: async () => (await import('./run.ts')).runCommand,
  },
  {
    name: 'read',
    summary: 'Read one Modbus device once and print its canonical reading',
    load: async () => (await import('./read.ts')).readCommand,
  },
  {
    name: 'scan',
    summary: 'Find Modbus devices and identify their profile',
    load: async () => (await import('./scan.ts')).scanCommand,
  },
  {
    name: 'profiles',
    summary: 'List the profile ids with kind, default unit and port, battery and meter',
    load: async () => (await import('./profiles.ts')).profilesCommand,
  },
  {
    name: 'token',
    summary: 'Print the web API token (created on first use)',
    load: async () => (await import('./token.ts')).tokenCommand,
  },
  {
    name: 'settings',
    summary: 'Show or reset the settings changed through the web API',
    load: async () => (await import('./settings.ts')).settingsCommand,
  },
  {
    name: 'key',
    summary: 'Rotate the device key (a new gateway identity, on purpose)',
    load: async () => (await import('./key.ts')).keyCommand,
  },
  {
    name: 'control',
    summary: 'Reference backend of the cloud control channel (create a backend key, send a signed request)',
    load: async () => (await import('./control.ts')).controlCommand,
  },
  {
    name: 'version',
    summary: 'Print the version',
    load: async () => (await import('./version.ts')).versionCommand,
  },
  {
    name: 'fleet',
    summary: 'List a balena fleet’s gateways or set fleet-wide configuration',
    load: async () => (await import('./fleet.ts')).fleetCommand,
  },
  {
    name: 'ingest-server',
    summary: 'Run the reference ingest receiver (verifies, de-duplicates and stores batches)',
    load: async () => (await import('./ingest-server.ts')).ingestServerCommand,
  },
];
