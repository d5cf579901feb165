import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { WebSocket } from 'ws';
import { egwttpClient, openWsLink } from '../../../client/src/api-client.js';
import { controlRequest, controlSocketPath } from '../../../bluetooth/src/provisioning/control-socket.ts';
import { runBleCli } from '../../../bluetooth/src/run-ble-cli.ts';
import { capturedIo } from '../../fakes/captured-io.ts';

const BIN = resolve('bin/egw-ble.mjs');

describe('egw-ble process with both transports on a machine without a usable adapter', () => {
  let dir = '';
  let child: ChildProcess;
  let wsPort = 0;

  /** A one-shot `egw-ble` command, run in this process (the running service is the child). */
  const cli = async (...args: string[]): Promise<string> => {
    const captured = capturedIo();
    const code = await runBleCli([...args, '--data-dir', dir], captured.io);
    assert.equal(code, 0, captured.stderr());
    return captured.stdout();
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'egw-ble-cli-'));
    // Port 5999: nothing listens there, so forwarded calls get 502 — this test is about the process.
    const args = ['--transport', 'both', '--port', '0', '--data-dir', dir, '--no-unprovisioned-window'];
    child = spawn(process.execPath, [BIN, ...args, '--gateway', 'http://127.0.0.1:5999'], {
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...process.env, EGW_LOG_LEVEL: 'silent' },
    });
    wsPort = await new Promise<number>((done, fail) => {
      let out = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /WebSocket transport on port (\d+)/.exec(out);
        if (match) done(Number(match[1]));
      });
      child.once('exit', (code) => fail(new Error(`egw-ble exited early with ${code}`)));
    });
  });

  after(async () => {
    if (child.exitCode === null) {
      child.kill('SIGKILL');
      await new Promise((done) => child.once('exit', done));
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('stays up, reports the adapter state and serves the WebSocket transport', async () => {
    const control = async () =>
      (await controlRequest(controlSocketPath(dir), 'GET', '/status')) as Record<string, unknown>;
    for (let i = 0; i < 100 && (await control()).ble === 'starting'; i++) {
      await new Promise((done) => setTimeout(done, 100));
    }
    const status = JSON.parse(await cli('status')) as Record<string, unknown>;
    assert.ok(
      ['unsupported', 'poweredOff', 'unauthorized', 'poweredOn', 'unknown'].includes(String(status.ble)),
    );
    const client = egwttpClient(await openWsLink(`ws://127.0.0.1:${wsPort}`, WebSocket));
    try {
      const ble = await client.request('GET', '/ble/status');
      assert.equal(ble.status, 200);
      assert.equal(ble.body.ble, status.ble);
      const hello = await client.request('GET', '/api/hello');
      assert.equal(hello.status, 502, 'no gateway behind it');
      assert.equal(hello.body.error.code, 'gateway_unreachable');
    } finally {
      client.close();
    }
  });

  it('opens and closes the window through the local commands', async () => {
    const closed = (await controlRequest(controlSocketPath(dir), 'POST', '/close-window')) as {
      open: boolean;
    };
    assert.equal(closed.open, false);
    const opened = JSON.parse(await cli('open-window')) as Record<string, unknown>;
    assert.equal(opened.open, true);
    assert.equal(opened.reason, 'local-command');
  });

  it('prints the PIN it created at start and exits 0 on SIGTERM', async () => {
    const printed = (await cli('pin')).trim();
    assert.match(printed, /^\d{6}$/);
    assert.equal((await readFile(join(dir, 'ble-pin'), 'utf8')).trim(), printed);
    const exited = new Promise<number | null>((done) => child.once('exit', done));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });
});
