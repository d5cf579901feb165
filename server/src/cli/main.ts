/** Entry point of `egw` (npm run egw, bin/egw.mjs): runs the command line and exits with its code. */
import { runCli } from './run-cli.ts';

const code = await runCli(process.argv.slice(2));
// Exit explicitly: a command may leave idle handles (sockets, a log transport) that would keep the
// process alive. The empty write lets anything still buffered on stdout go out first.
process.stdout.write('', () => process.exit(code));
