/**
 * Runs the real egw-ble process (bluetooth/src/cli.ts) on a data directory shared with a gateway,
 * without a controller of its own (for that: hci/egw-ble-on-pty.ts). Resolves once its control socket
 * answers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { controlRequest, controlSocketPath } from '../../bluetooth/src/provisioning/control-socket.ts';

export interface EgwBleProcessOptions {
  dataDir: string;
  gatewayUrl: string;
  /** More egw-ble arguments (--transport, --window-minutes, …). */
  args?: string[];
  env?: Record<string, string>;
}

/** A running egw-ble. */
export interface EgwBleProcess {
  child: ChildProcess;
  /** What it wrote to stdout and stderr so far. */
  output(): string;
  /** `egw-ble status` through the control socket. */
  status(): Promise<Record<string, unknown>>;
  /** The status once bleno's adapter state is settled (no longer "starting"; at most ~10 s). */
  settledStatus(): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** Starts egw-ble; resolves once its control socket answers (at most ~10 s), rejects if it exits. */
export async function startEgwBle(options: EgwBleProcessOptions): Promise<EgwBleProcess> {
  const args = ['--data-dir', options.dataDir, '--gateway', options.gatewayUrl, ...(options.args ?? [])];
  const child = spawn(process.execPath, ['bluetooth/src/cli.ts', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, EGW_LOG_LEVEL: 'silent', ...options.env },
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const socket = controlSocketPath(options.dataDir);
  const answers = () =>
    controlRequest(socket, 'GET', '/status').then(
      () => true,
      () => false,
    );
  for (let i = 0; i < 200 && child.exitCode === null && !(await answers()); i++) await sleep(50);
  const status = async () => (await controlRequest(socket, 'GET', '/status')) as Record<string, unknown>;
  const running = {
    child,
    output: () => output,
    status,
    async settledStatus() {
      for (let i = 0; i < 200 && (await status()).ble === 'starting'; i++) await sleep(50);
      return status();
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
  if (child.exitCode !== null || !(await answers())) {
    await running.stop();
    throw new Error(`egw-ble did not start (exit ${child.exitCode}): ${output}`);
  }
  return running;
}
