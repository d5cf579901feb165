import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const MAIN = join(import.meta.dirname, '../../../server/src/cli/main.ts');
let child: ChildProcess | undefined;

after(() => {
  child?.kill('SIGKILL');
});

describe('egw ingest-server', () => {
  it('listens, serves /stats and exits 0 with a summary on SIGTERM', { timeout: 60_000 }, async () => {
    child = spawn(process.execPath, [MAIN, 'ingest-server', '--port', '0', '--fail-rate', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, EGW_LOG_LEVEL: 'silent' },
    });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const check = (): void => {
        const m = /ingest receiver on (\S+)/.exec(out);
        if (m) resolve(m[1]!);
        else if (child!.exitCode !== null) reject(new Error(`exited early: ${out}`));
        else setTimeout(check, 20);
      };
      check();
    });
    const stats = (await (await fetch(`${url}stats`)).json()) as { received: number };
    assert.equal(stats.received, 0);
    const code = await new Promise<number | null>((resolve) => {
      child!.once('exit', resolve);
      child!.kill('SIGTERM');
    });
    assert.equal(code, 0);
    assert.match(out, /"received":0/);
  });
});
