/**
 * Runs nmcli and parses its terse (`-t`) output. Secrets go through stdin, never argv (argv of every
 * process is readable by all local users in /proc/PID/cmdline).
 */
import { spawn } from 'node:child_process';
import type { Clock } from '../core/clock.ts';
import { EgwError, NotAvailable, NotFoundError, TimeoutError } from '../core/errors.ts';

/** nmcli exit codes we map (man nmcli, "EXIT STATUS"). */
const EXIT_NM_NOT_RUNNING = 8;
const EXIT_NOT_FOUND = 10;

/** Splits one terse line into fields: ':' separates, '\:' and '\\' are escapes. */
export function splitTerseLine(line: string): string[] {
  const fields: string[] = [];
  let current = '';
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (char === '\\' && i + 1 < line.length) {
      current += line[++i];
    } else if (char === ':') {
      fields.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  fields.push(current);
  return fields;
}

export interface NmcliRunnerOptions {
  clock: Clock;
  /** nmcli executable (default "nmcli" on PATH). */
  command?: string;
  /** Kill nmcli after this long (default 45 s: connecting waits up to 30 s). */
  timeoutMs?: number;
}

/** Runs nmcli; resolves stdout, throws mapped errors. `args` never contain secrets. */
export async function runNmcli(options: NmcliRunnerOptions, args: string[], stdin?: string): Promise<string> {
  const command = options.command ?? 'nmcli';
  const child = spawn(command, args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, LC_ALL: 'C' },
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
  child.stdin.on('error', () => undefined); // nmcli may exit before reading stdin
  child.stdin.end(stdin ?? '');
  let timedOut = false;
  const timeoutMs = options.timeoutMs ?? 45_000;
  const timer = options.clock.setTimer(`nmcli ${args.slice(0, 4).join(' ')}`, timeoutMs, () => {
    timedOut = true;
    child.kill();
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  })
    .catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        throw new NotAvailable(`Wi-Fi needs NetworkManager: "${command}" was not found on this box`);
      }
      throw error;
    })
    .finally(() => timer.cancel());
  const stderr = Buffer.concat(err).toString('utf8').trim();
  if (timedOut) throw new TimeoutError(`nmcli ${args[3] ?? ''} did not finish within ${timeoutMs} ms`);
  if (code === EXIT_NM_NOT_RUNNING)
    throw new NotAvailable(`Wi-Fi needs NetworkManager, which is not running (${stderr})`);
  if (code === EXIT_NOT_FOUND) throw new NotFoundError(stderr.replace(/^Error: /, ''));
  if (code !== 0) {
    throw new EgwError('wifi_failed', `nmcli failed (exit ${code}): ${stderr.replace(/^Error: /, '')}`, {
      status: 502,
      expose: true,
    });
  }
  return Buffer.concat(out).toString('utf8');
}
