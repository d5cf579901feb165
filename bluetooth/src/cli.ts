/** Entry point of `egw-ble` (bin/egw-ble.mjs, npm run ble): runs the command line on this process's io. */
import { runBleCli } from './run-ble-cli.ts';

process.exitCode = await runBleCli(process.argv.slice(2));
