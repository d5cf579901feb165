/**
 * Where a command line writes and which environment it reads. The binaries pass the process's own
 * streams and environment; tests run a command in their own process with captured output (a child
 * process per check costs a whole Node start-up, and a test file's stdout is the test runner's channel).
 */

/** A text stream a command writes to: process.stdout / process.stderr, or a capture. */
export interface TextSink {
  write(text: string): unknown;
  /** Whether a person watches it (progress bars only then). */
  isTTY?: boolean;
}

/** The process's outside world as a command sees it. */
export interface CliIo {
  stdout: TextSink;
  stderr: TextSink;
  /** EGW_* and other variables the command reads. */
  env: Record<string, string | undefined>;
}

/** The running process's own streams and environment. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/** Fills what `io` leaves out from the running process. */
export function cliIo(io: Partial<CliIo> = {}): CliIo {
  return { ...processIo(), ...io };
}
