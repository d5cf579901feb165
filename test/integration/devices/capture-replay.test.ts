/**
 * Captures: `egw read --capture FILE` (in-process command line) against a live simulated inverter writes the raw
 * blocks of its poll; `egw-sim --replay FILE` (its command line, parsed and started in process) serves
 * them, and `egw read` against the replay prints the same reading. The reader's last poll (what
 * GET /api/devices/:id/captures answers) is the same capture.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SystemClock } from '../../../server/src/core/clock.ts';
import { silentLogger } from '../../../server/src/core/logger.ts';
import { createDeviceReader } from '../../../server/src/devices/create-device-reader.ts';
import { ProfileRegistry } from '../../../server/src/profiles/profile-registry.ts';
import { parseCapture } from '../../../server/src/profiles/register-capture.ts';
import { parseCli } from '../../../modbus_slave/src/cli-options.ts';
import { startSimulator, type RunningSimulator } from '../../../modbus_slave/src/simulator.ts';
import { egw } from './egw-cli.ts';

/** A reading without what differs between two polls of the same registers. */
function comparable(stdout: string): Record<string, unknown> {
  const { ts: _ts, read_ms: _readMs, ...rest } = JSON.parse(stdout) as Record<string, unknown>;
  return rest;
}

describe('capture and replay', () => {
  let dir: string;
  let live: RunningSimulator;
  const running: RunningSimulator[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'egw-capture-'));
    // A hybrid with battery and meter: optional blocks and computed fields go through the capture too.
    live = await startSimulator({ seed: 3, devices: [{ profile: 'goodwe', id: 'inv', port: 0 }] });
    running.push(live);
  });
  after(async () => {
    await Promise.all(running.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  test('a capture written by egw read and replayed by egw-sim gives the same reading', async () => {
    const device = live.devices[0]!;
    const file = join(dir, 'goodwe.json');
    const target = ['--host', '127.0.0.1', '--unit', String(device.unit), '--json', '--id', 'inv'];
    const first = await egw([
      'read',
      ...target,
      '--port',
      String(device.port),
      '--profile',
      'goodwe',
      '--capture',
      file,
    ]);
    assert.equal(first.code, 0, first.stderr);
    const capture = parseCapture(JSON.parse(readFileSync(file, 'utf8')));
    assert.equal(capture.protocol, 'modbus-tcp');
    assert.equal(capture.profile, 'goodwe');
    assert.equal(capture.unit, device.unit);
    assert.ok(capture.blocks.length > 0);

    const settings = parseCli(['--replay', file, '--port', '0', '--no-stdin']);
    const replay = await startSimulator(settings.options);
    running.push(replay);
    const served = replay.devices[0]!;
    assert.equal(served.unit, device.unit);
    const second = await egw(['read', ...target, '--port', String(served.port), '--profile', 'goodwe']);
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(comparable(second.stdout), comparable(first.stdout));

    // The reader keeps the same blocks as its last poll (the captures API's lastPoll).
    const reader = createDeviceReader(
      {
        id: 'inv',
        type: 'tcp',
        host: '127.0.0.1',
        port: served.port,
        unit: served.unit,
        profile: 'goodwe',
        closeBetweenPolls: false,
      },
      { clock: new SystemClock(), logger: silentLogger(), profiles: ProfileRegistry.load({}) },
    );
    try {
      await reader.read();
      assert.deepEqual(reader.lastPoll()?.blocks, capture.blocks);
    } finally {
      await reader.close();
    }
  });

  test('a capture file that is not one is refused naming the field', () => {
    assert.throws(
      () => parseCapture({ device: 'x', protocol: 'modbus-tcp', unit: 1, profile: 'p', ts: 0 }),
      /blocks/,
    );
  });
});
