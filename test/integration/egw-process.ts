/**
 * Runs `egw run` from the checkout as its own process (as a user would), for the end-to-end transport
 * tests; and a free loopback port for servers a test starts. (One-shot commands run in-process:
 * devices/egw-cli.ts.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
// Every answer the gateway gives these tests through fetch is validated against the OpenAPI document.
import './validate-fetch-responses.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** A running or finished `egw` process. */
export interface EgwProcess {
  child: ChildProcess;
  /** Everything printed so far. */
  output(): { stdout: string; stderr: string };
  /** Resolves with the exit code once the process ended. */
  done: Promise<number | null>;
}

/** Starts `egw ARGS` with extra environment variables. */
export function startEgw(args: string[], env: Record<string, string> = {}): EgwProcess {
  const child = spawn(process.execPath, ['server/src/cli/main.ts', ...args], {
    cwd: root,
    env: { ...process.env, EGW_LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<number | null>((resolve) =>
    // Let the pipes deliver their last bytes.
    child.on('exit', (code) => setImmediate(() => resolve(code))),
  );
  return { child, output: () => ({ stdout, stderr }), done };
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Polls fn every 50 ms until it returns a truthy value or timeoutMs passes. */
export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** GET a JSON object from a local API; undefined while it is not up or answers non-2xx. */
export async function getJson(port: number, path: string): Promise<Record<string, unknown> | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    return res.ok ? ((await res.json()) as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
