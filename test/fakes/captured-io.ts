/**
 * A command line's outside world for running it in the test's own process: stdout and stderr
 * captured as text, an environment of the test's choosing. (A test file's real stdout is the test
 * runner's channel, so commands must never write there.)
 */
import type { CliIo } from '../../server/src/core/cli-io.ts';

/** Captured output plus the io to hand to runCli / a command. */
export interface CapturedIo {
  io: CliIo;
  stdout(): string;
  stderr(): string;
}

/** An io whose streams collect text; `env` is process.env with logs silent, plus `env`. */
export function capturedIo(env: Record<string, string | undefined> = {}): CapturedIo {
  let out = '';
  let err = '';
  return {
    io: {
      stdout: { write: (text: string) => (out += text) },
      stderr: { write: (text: string) => (err += text) },
      env: { ...process.env, EGW_LOG_LEVEL: 'silent', ...env },
    },
    stdout: () => out,
    stderr: () => err,
  };
}
