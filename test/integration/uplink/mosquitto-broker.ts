// Starts a private mosquitto broker on a free 127.0.0.1 port for a test, and stops it again.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../egw-process.ts';

/** Where Debian installs the broker. */
export const MOSQUITTO = '/usr/sbin/mosquitto';

/** Why the MQTT tests are skipped on this machine, or false when mosquitto is there. */
export const skipReason: string | false = existsSync(MOSQUITTO)
  ? false
  : `mosquitto not installed at ${MOSQUITTO} (apt-get install mosquitto)`;

export interface Broker {
  port: number;
  url: string;
  /** Pauses (SIGSTOP) or resumes (SIGCONT) the broker, to hold acknowledgements back. */
  pause(): void;
  resume(): void;
  /** Kills the broker abruptly (SIGKILL), keeping its configuration for restart(). */
  crash(): Promise<void>;
  /** Starts it again on the same port (after crash()). */
  restart(): Promise<void>;
  /** Kills the broker and removes its files. */
  stop(): Promise<void>;
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`mosquitto exited with code ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (performance.now() > deadline)
      throw new Error(`mosquitto did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts mosquitto with anonymous access on a free loopback port. */
export async function startBroker(): Promise<Broker> {
  const dir = mkdtempSync(join(tmpdir(), 'egw-mosquitto-'));
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest none\n`);
  let child: ChildProcess | undefined;
  const launch = async (): Promise<void> => {
    child = spawn(MOSQUITTO, ['-c', conf], { stdio: 'ignore' });
    await waitForPort(port, child);
  };
  const kill = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGCONT');
    running.kill('SIGKILL');
    await exited;
  };
  await launch();
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    crash: kill,
    restart: launch,
    stop: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
