import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { egw as egwCommand } from '../devices/egw-cli.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const children = new Set<ChildProcess>();
let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'egw-cli-'));
});
after(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts `egw ARGS` from the checkout with a private data directory and a free HTTP port. */
function egw(
  args: string[],
  env: Record<string, string> = {},
): { child: ChildProcess; done: Promise<Result> } {
  const child = spawn(process.execPath, ['server/src/cli/main.ts', ...args], {
    cwd: root,
    env: {
      ...process.env,
      EGW_DATA_DIR: join(dir, 'data'),
      EGW_HTTP_PORT: '0',
      EGW_HTTP_HOST: '127.0.0.1',
      EGW_LOG_LEVEL: 'silent',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<Result>((resolve) => {
    child.on('exit', (code, signal) => {
      children.delete(child);
      // Let the pipes deliver their last bytes.
      setImmediate(() => resolve({ code, signal, stdout, stderr }));
    });
  });
  return { child, done };
}

/** `egw ARGS` in this process (runCli, captured output) with the same private data directory and port. */
function egwInProcess(args: string[], env: Record<string, string> = {}) {
  return egwCommand(args, {
    EGW_DATA_DIR: join(dir, 'data'),
    EGW_HTTP_PORT: '0',
    EGW_HTTP_HOST: '127.0.0.1',
    ...env,
  });
}

// The process itself (start, signals, exit) is checked once with a child; the rest runs in-process.
describe('egw command line', { concurrency: 4 }, () => {
  it('lists the subcommands with --help', async () => {
    const { code, stdout } = await egwInProcess(['--help']);
    assert.equal(code, 0);
    for (const name of ['run', 'read', 'scan', 'token', 'version']) {
      assert.match(stdout, new RegExp(`^  ${name} `, 'm'), `egw --help lists ${name}`);
    }
  });

  it('exits 2 and names the key when an environment value is invalid', async () => {
    const { code, stderr } = await egwInProcess(['run'], { EGW_HTTP_PORT: 'abc' });
    assert.equal(code, 2);
    assert.equal(
      stderr.trim(),
      'egw run: invalid configuration: http.port: expected an integer from 0 to 65535, got "abc" (from EGW_HTTP_PORT)',
    );
  });

  it('exits 2 and names the key and the file when a config file value is invalid', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ harvest: { intervalMs: 'fast' } }));
    const { code, stderr } = await egwInProcess(['run', '--config', file]);
    assert.equal(code, 2);
    assert.match(stderr, /harvest\.intervalMs: expected an integer from 100 to 3600000, got "fast"/);
    assert.ok(stderr.includes(file), 'stderr names the config file');
    assert.equal(stderr.trim().split('\n').length, 1, 'one line');
  });

  it('stops cleanly within 2 s of SIGTERM', async () => {
    const { child, done } = egw(['run'], { EGW_LOG_LEVEL: 'info' });
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      const onData = (chunk: Buffer): void => {
        seen += chunk.toString();
        if (seen.includes('"msg":"egw ready"')) {
          child.stdout!.off('data', onData);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      void done.then((r) => reject(new Error(`egw run exited early (${r.code}): ${r.stderr}`)));
    });
    const sentAt = performance.now();
    child.kill('SIGTERM');
    const result = await done;
    const elapsedMs = performance.now() - sentAt;
    assert.equal(result.signal, null);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(elapsedMs < 2000, `exited ${Math.round(elapsedMs)} ms after SIGTERM`);
    assert.match(result.stdout, /"msg":"stopped"/);
  });

  it('creates the API token with mode 0600 and prints the same token each time', async () => {
    const env = { EGW_DATA_DIR: join(dir, 'token-data') };
    const first = await egwInProcess(['token'], env);
    const second = await egwInProcess(['token'], env);
    assert.equal(first.code, 0, first.stderr);
    const token = first.stdout.trim();
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(second.stdout.trim(), token);
    const file = join(dir, 'token-data', 'api-token');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'token-data')).mode & 0o777, 0o700);
    assert.equal(readFileSync(file, 'utf8'), token);
  });
});
