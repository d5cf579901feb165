/**
 * Shared set-up of the pipeline end-to-end tests: the simulator (in this process), the reference
 * ingest receiver (in this process) and the gateway as a real `egw run` child process with a config
 * file in a temp dir. Everything talks over loopback sockets.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { SimValues } from '../../modbus_slave/src/physics/sim-values.ts';
import type { SimDeviceInfo, SimulatorStats } from '../../modbus_slave/src/simulator.ts';
import { startIngestServer, type IngestServer } from '../../server/src/ingest/ingest-server.ts';
import { favourCadence } from '../integration/favour-cadence.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** A free loopback port (bound and released; the gateway binds it right after). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 100 ms until it returns a value other than undefined, or throws after timeoutMs. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** The simulator in a child process (test/e2e/sim-child.ts), faults set through its control API. */
export interface SimProcess {
  devices: SimDeviceInfo[];
  /** Sets (patch) or, with undefined, clears a device's faults. */
  faults(id: string, patch?: Record<string, unknown>): Promise<void>;
  /** The simulator's counters (GET /stats of its control API). */
  stats(): Promise<SimulatorStats>;
  /** What a device shows right now (GET /devices/:id/values). */
  values(id: string): Promise<SimValues>;
  stop(): Promise<void>;
}

/** Starts the simulator as a child process; resolves once its devices listen. */
export async function startSimProcess(options: Record<string, unknown>): Promise<SimProcess> {
  const child = spawn(process.execPath, ['test/e2e/sim-child.ts', JSON.stringify(options)], {
    cwd: ROOT,
    env: { ...process.env, EGW_LOG_LEVEL: 'silent' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  favourCadence(child.pid);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', (text) => {
      rl.close();
      resolve(text);
    });
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  const { devices, controlPort } = JSON.parse(line) as { devices: SimDeviceInfo[]; controlPort: number };
  return {
    devices,
    faults: async (id, patch) => {
      const res = await fetch(`http://127.0.0.1:${controlPort}/devices/${id}/faults`, {
        method: patch ? 'POST' : 'DELETE',
        headers: { 'content-type': 'application/json' },
        ...(patch ? { body: JSON.stringify(patch) } : {}),
      });
      if (!res.ok) throw new Error(`simulator faults ${id}: HTTP ${res.status} ${await res.text()}`);
    },
    stats: async () => {
      const res = await fetch(`http://127.0.0.1:${controlPort}/stats`);
      if (!res.ok) throw new Error(`simulator stats: HTTP ${res.status}`);
      return (await res.json()) as SimulatorStats;
    },
    values: async (id) => {
      const res = await fetch(`http://127.0.0.1:${controlPort}/devices/${encodeURIComponent(id)}/values`);
      if (!res.ok) throw new Error(`simulator values ${id}: HTTP ${res.status}`);
      return (await res.json()) as SimValues;
    },
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface Pipeline {
  dir: string;
  dataDir: string;
  sim: SimProcess;
  ingest: IngestServer;
  gateway: ChildProcess;
  /** Collected stderr of the gateway (shown when a test fails). */
  stderr: () => string;
  api: (path: string) => Promise<unknown>;
  publicKey: KeyObject;
  serial: string;
  /** Resolves the gateway's exit code. */
  exited: Promise<number | null>;
  close(): Promise<void>;
}

/** Starts simulator, receiver and gateway; resolves once the gateway's API answers. */
export async function startPipeline(harvest: Record<string, number>): Promise<Pipeline> {
  const dir = mkdtempSync(join(tmpdir(), 'egw-e2e-'));
  const dataDir = join(dir, 'data');
  // Ports are picked first so the simulator and the gateway start in parallel (the gateway retries
  // until the simulator listens): the two Node start-ups dominate the test's run time.
  const specs = [
    { profile: 'huawei', id: 'inv', unit: 1, port: await freePort() },
    { profile: 'sdm630', id: 'meter', unit: 1, port: await freePort() },
    { profile: 'huawei', id: 'flaky', unit: 1, port: await freePort() },
  ];
  const simStarting = startSimProcess({ devices: specs });
  simStarting.catch(() => undefined);
  const ingest = await startIngestServer({ port: 0, host: '127.0.0.1' });
  const port = await freePort();
  const config = {
    dataDir,
    http: { host: '127.0.0.1', port },
    devices: specs.map((d) => ({
      id: d.id,
      type: 'tcp',
      host: '127.0.0.1',
      port: d.port,
      unit: d.unit,
      profile: d.profile,
    })),
    ingest: { url: ingest.url },
    harvest,
  };
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify(config));
  const gateway = spawn(process.execPath, ['server/src/cli/main.ts', 'run', '--config', configFile], {
    cwd: ROOT,
    env: { ...process.env, EGW_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  favourCadence(gateway.pid);
  let stderr = '';
  gateway.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-20_000)));
  const exited = new Promise<number | null>((resolve) => gateway.once('exit', (code) => resolve(code)));
  const base = `http://127.0.0.1:${port}`;
  const api = async (path: string): Promise<unknown> => {
    const res = await fetch(base + path);
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
    return res.json();
  };
  const close = async (): Promise<void> => {
    if (gateway.exitCode === null && gateway.signalCode === null) {
      gateway.kill('SIGKILL');
      await exited;
    }
    await ingest.stop();
    await (await simStarting.catch(() => undefined))?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const sim = await simStarting;
    const crypto = await waitFor('the gateway API', 30_000, async () => {
      if (gateway.exitCode !== null) throw new Error(`gateway exited: ${stderr}`);
      return (await api('/api/crypto')) as { serial: string; publicKeyPem: string };
    });
    return {
      dir,
      dataDir,
      sim,
      ingest,
      gateway,
      stderr: () => stderr,
      api,
      publicKey: createPublicKey(crypto.publicKeyPem),
      serial: crypto.serial,
      exited,
      close,
    };
  } catch (error) {
    await close();
    throw new Error(`pipeline did not start: ${(error as Error).message}\n${stderr}`);
  }
}

/** Verifies an ES256K JWT with Node's own crypto (independent of the gateway's signing library). */
export function verifyJwt(
  jwt: string,
  key: KeyObject,
): { header: Record<string, unknown>; payload: Record<string, Record<string, unknown>> } | undefined {
  const [h, p, s] = jwt.split('.');
  if (!h || !p || !s) return undefined;
  const ok = verify(
    'sha256',
    Buffer.from(`${h}.${p}`),
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(s, 'base64url'),
  );
  if (!ok) return undefined;
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<
      string,
      Record<string, unknown>
    >,
  };
}
