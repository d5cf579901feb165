/**
 * A device named without unit or port is read at its profile's: `egw read --profile sma` and
 * `--profile auto` (child processes, the commands a newcomer types) against the simulated SMA at unit
 * 3, and a GoodWe (unit 247) opened in process from a config that leaves the unit out, as the registry
 * opens config-file devices.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SystemClock } from '../../../server/src/core/clock.ts';
import { silentLogger } from '../../../server/src/core/logger.ts';
import { openDeviceReader } from '../../../server/src/devices/open-device-reader.ts';
import { withProfileDefaults } from '../../../server/src/devices/profile-defaults.ts';
import { ProfileRegistry } from '../../../server/src/profiles/profile-registry.ts';
import { startSimulator, type RunningSimulator } from '../../../modbus_slave/src/simulator.ts';
import { egw } from './egw-cli.ts';

describe("profile's default unit and port", () => {
  let sim: RunningSimulator;
  const port = (id: string): number => sim.devices.find((d) => d.id === id)!.port;

  before(async () => {
    sim = await startSimulator({
      seed: 7,
      devices: [
        { profile: 'sma', id: 'sma', port: 0 },
        { profile: 'goodwe', id: 'goodwe', port: 0 },
      ],
    });
    assert.deepEqual(
      sim.devices.map((d) => d.unit),
      [3, 247],
      "the simulator serves the profiles' units",
    );
  });
  after(() => sim.stop());

  /** `egw read --json` of the simulated SMA with `--profile ID` and no --unit: the reading. */
  async function readSma(profile: string): Promise<Record<string, unknown>> {
    const run = await egw([
      'read',
      '--host',
      '127.0.0.1',
      '--port',
      String(port('sma')),
      '--profile',
      profile,
      '--json',
    ]);
    assert.equal(run.code, 0, run.stderr);
    return JSON.parse(run.stdout) as Record<string, unknown>;
  }

  test('egw read --profile sma without --unit reads the SMA at unit 3', async () => {
    const reading = await readSma('sma');
    assert.equal(reading.profile, 'sma');
    assert.equal(typeof reading.ac_power_w, 'number');
  });

  test('egw read --profile auto without --unit finds the SMA at its unit 3', async () => {
    assert.equal((await readSma('auto')).profile, 'sma');
  });

  test('a config without a unit reads the GoodWe at unit 247', async () => {
    const profiles = ProfileRegistry.load();
    const config = withProfileDefaults(
      {
        id: 'gw',
        type: 'tcp',
        host: '127.0.0.1',
        port: port('goodwe'),
        profile: 'goodwe',
        closeBetweenPolls: false,
      },
      profiles,
    );
    const reader = await openDeviceReader(config, {
      clock: new SystemClock(),
      logger: silentLogger(),
      profiles,
    });
    try {
      const reading = await reader.read();
      assert.equal(reading.profile, 'goodwe');
      assert.equal(typeof reading.ac_power_w, 'number');
    } finally {
      await reader.close();
    }
  });
});
