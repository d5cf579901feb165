/**
 * Runs a small server script (ESM TypeScript source, run by Node's type stripping from the repository root) in a
 * child process, so the server's work never shares the benchmark client's event loop or CPU figures.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** A server script running in a child process. */
export interface ServerScript {
  /** The port the script printed as its first output. */
  port: number;
  /** Ends the child (closes its stdin and kills it); does not wait for its exit. */
  stop(): void;
}

/**
 * Starts `code` in a child process; resolves once it printed its listening port (and nothing else
 * first), rejects when it exits before.
 */
export function startServerScript(code: string): Promise<ServerScript> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
      cwd: root,
      env: { ...process.env, EGW_LOG_LEVEL: 'silent' },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', (exitCode) => reject(new Error(`server exited with ${exitCode} before listening`)));
    child.stdout.once('data', (data: Buffer) =>
      resolve({
        port: Number(data.toString().trim()),
        stop: () => {
          child.removeAllListeners('exit');
          child.stdin.end();
          child.kill();
        },
      }),
    );
  });
}
