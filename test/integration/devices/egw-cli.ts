/**
 * Runs the `egw` command line in the test's own process (runCli with captured output, logs silent):
 * what is checked here is the command, not the process — test/integration/cli/egw-cli.test.ts keeps
 * the child-process smoke test of the binary.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { runCli } from '../../../server/src/cli/run-cli.ts';
import { capturedIo } from '../../fakes/captured-io.ts';

/** Exit code and output of one `egw` run. */
export interface EgwRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** How long one run may take before the test fails instead of hanging, ms. */
const HANG_MS = 120_000;

/** Runs `egw <args>` with extra environment variables; rejects if it has not ended within 120 s. */
export async function egw(args: string[], env: Record<string, string> = {}): Promise<EgwRun> {
  const captured = capturedIo(env);
  const hang = new AbortController();
  const code = await Promise.race([
    runCli(args, captured.io),
    delay(HANG_MS, undefined, { signal: hang.signal, ref: false }).then(() => {
      throw new Error(`egw ${args.join(' ')} did not end within ${HANG_MS} ms`);
    }),
  ]).finally(() => hang.abort());
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}
