/**
 * The gateway as a box runs it: `node bin/egw.mjs run --config FILE` in its own process, with the
 * NODE_OPTIONS (V8 flags) and NODE_ENV the Dockerfile sets, optionally inside a cgroup budget.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SimDeviceInfo } from '../../modbus_slave/src/simulator.ts';
import { freePort } from '../../test/e2e/pipeline-harness.ts';
import type { CgroupBudget } from './cgroup-budget.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The compile cache the bench's gateways use, filled the way the image build fills /app/.compile-cache. */
export const BENCH_COMPILE_CACHE = join(tmpdir(), 'egw-footprint-compile-cache');

/** Runs scripts/warm-compile-cache.mjs into BENCH_COMPILE_CACHE, as the Dockerfile does at build time. */
export function warmCompileCache(): void {
  execFileSync(process.execPath, [join(root, 'scripts', 'warm-compile-cache.mjs')], {
    cwd: root,
    env: { ...process.env, NODE_COMPILE_CACHE: BENCH_COMPILE_CACHE },
    stdio: 'ignore',
  });
}

/** NODE_OPTIONS of the device image, read from the Dockerfile so the bench runs what ships. */
export function deployedNodeOptions(): string {
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
  return /NODE_OPTIONS="([^"]*)"/.exec(dockerfile)?.[1] ?? '';
}

/** A running gateway process. */
export interface GatewayProcess {
  pid: number;
  base: string;
  /** Wall time (ms since epoch) just before the process was spawned. */
  spawnedAtMs: number;
  /** Resolves with the exit code or signal once the process ended. */
  exited: Promise<string>;
  get(path: string): Promise<string>;
  /** SIGTERM, waits for the exit, removes the data directory. */
  stop(): Promise<string>;
}

/** Starts the gateway reading `devices` (10 Hz frequency, 1 s harvests, local outbox, no uplink). */
export async function startGatewayProcess(
  devices: SimDeviceInfo[],
  budget?: CgroupBudget,
): Promise<GatewayProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'egw-footprint-'));
  const port = await freePort();
  const config = {
    dataDir: join(dir, 'data'),
    http: { host: '127.0.0.1', port },
    devices: devices.map((d) => ({
      id: d.id,
      type: 'tcp',
      host: d.host,
      port: d.port,
      unit: d.unit,
      profile: d.profile,
    })),
    harvest: { intervalMs: 1000, frequencyHz: 10 },
  };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  const argv = budget
    ? budget.wrap(process.execPath, ['bin/egw.mjs', 'run', '--config', join(dir, 'config.json')])
    : { command: process.execPath, args: ['bin/egw.mjs', 'run', '--config', join(dir, 'config.json')] };
  const spawnedAtMs = Date.now();
  const child = spawn(argv.command, argv.args, {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      NODE_COMPILE_CACHE: BENCH_COMPILE_CACHE,
      // FOOTPRINT_NODE_OPTIONS compares other V8 flags against the image's (how the flags were chosen).
      NODE_OPTIONS: process.env.FOOTPRINT_NODE_OPTIONS ?? deployedNodeOptions(),
      EGW_LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? String(code))),
  );
  const base = `http://127.0.0.1:${port}`;
  const get = async (path: string): Promise<string> => {
    // Right after a flood, load shedding answers heavy reads 503 for a while: wait it out (≤ 60 s).
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(base + path);
      if (res.ok) return res.text();
      if (res.status !== 503 || attempt >= 240) throw new Error(`${path}: HTTP ${res.status}`);
      await res.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };
  return {
    pid: child.pid!,
    base,
    spawnedAtMs,
    exited,
    get,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const how = await exited;
      rmSync(dir, { recursive: true, force: true });
      return how;
    },
  };
}
