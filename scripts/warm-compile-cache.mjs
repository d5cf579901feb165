#!/usr/bin/env node
// Fills Node's compile cache (NODE_COMPILE_CACHE, else <tmpdir>/node-compile-cache) by running the
// binaries the way a box does, so a box's first `egw run` already skips the TypeScript stripper (its
// WebAssembly stays resident for the life of any process that used it: ~18 MB RSS, ~60 ms CPU).
// The image runs this at build time. Entries are written by the processes that compile a module as
// they really load it (a module merely import()ed by a warm-up script was not reused by the binaries
// on Node 24.22), hence: every command's --help, `egw version`, and a short `egw run` with a device, the
// HTTP and the MQTT uplinks configured (nothing answers; the modules load), stopped once ready.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const root = join(import.meta.dirname, '..');
const env = { ...process.env, EGW_LOG_LEVEL: 'silent' };
const bin = (name) => join(root, 'bin', `${name}.mjs`);
const run = (name, args) => execFileSync(process.execPath, [bin(name), ...args], { env, stdio: 'ignore' });

for (const command of ['run', 'read', 'scan', 'token', 'fleet', 'ingest-server'])
  run('egw', [command, '--help']);
run('egw', ['version']);
run('egw-sim', ['--help']);
run('egw-ble', ['--help']);

const dir = mkdtempSync(join(tmpdir(), 'egw-warm-'));
const closed = 'http://127.0.0.1:9';
writeFileSync(
  join(dir, 'config.json'),
  JSON.stringify({
    dataDir: join(dir, 'data'),
    http: { host: '127.0.0.1', port: 0 },
    devices: [{ id: 'warm', type: 'tcp', host: '127.0.0.1', port: 9, profile: 'huawei' }],
    ingest: { url: `${closed}/ingest` },
    mqtt: { url: 'mqtt://127.0.0.1:9', homeAssistant: true },
  }),
);
const gateway = spawn(process.execPath, [bin('egw'), 'run', '--config', join(dir, 'config.json')], {
  env: { ...process.env, EGW_LOG_LEVEL: 'info' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
await new Promise((resolve, reject) => {
  createInterface({ input: gateway.stdout }).on('line', (line) => {
    if (line.includes('"egw ready"')) resolve();
  });
  gateway.once('exit', (code) => reject(new Error(`egw run exited with ${code} before it was ready`)));
});
gateway.removeAllListeners('exit');
gateway.kill('SIGTERM');
await new Promise((resolve) => gateway.once('exit', resolve));
rmSync(dir, { recursive: true, force: true });
console.log(`compile cache warmed (${process.env.NODE_COMPILE_CACHE ?? 'default folder'})`);
