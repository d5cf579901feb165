/** Runs the `egw` command line as a child process (logs silent) and collects its output. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../../server/src/cli/main.ts', import.meta.url));

/** Exit code and output of one `egw` run. */
export interface EgwRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `egw <args>`; the child is killed after 120 s so a hang fails the test instead of blocking it. */
export function egw(args: string[]): Promise<EgwRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [MAIN, ...args],
      { env: { ...process.env, EGW_LOG_LEVEL: 'silent' }, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
