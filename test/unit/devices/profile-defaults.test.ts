import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ParsedDeviceConfig } from '../../../server/src/config/schema.ts';
import { withProfileDefaults } from '../../../server/src/devices/profile-defaults.ts';
import { ProfileRegistry } from '../../../server/src/profiles/profile-registry.ts';

const profiles = ProfileRegistry.load();
const tcp = (profile: string, extra: Partial<ParsedDeviceConfig> = {}): ParsedDeviceConfig =>
  ({ id: 'd', type: 'tcp', host: 'h', profile, closeBetweenPolls: false, ...extra }) as ParsedDeviceConfig;

/** Unit and port of a resolved TCP device. */
function transport(config: ParsedDeviceConfig): { unit?: number; port?: number } {
  const resolved = withProfileDefaults(config, profiles);
  assert.equal(resolved.type, 'tcp');
  return resolved.type === 'tcp' ? { unit: resolved.unit, port: resolved.port } : {};
}

describe('withProfileDefaults', () => {
  it('takes an absent unit and port from the profile: SMA unit 3, GoodWe 247, SolarEdge port 1502', () => {
    assert.deepEqual(transport(tcp('sma')), { unit: 3, port: 502 });
    assert.deepEqual(transport(tcp('goodwe')), { unit: 247, port: 502 });
    assert.deepEqual(transport(tcp('solaredge')), { unit: 1, port: 1502 });
  });

  it('keeps a unit and port the user gave, even when they are 1 and 502', () => {
    assert.deepEqual(transport(tcp('sma', { unit: 1, port: 502 } as Partial<ParsedDeviceConfig>)), {
      unit: 1,
      port: 502,
    });
  });

  it('uses 1 and 502 for sunspec, auto and unknown ids', () => {
    for (const id of ['sunspec', 'auto', 'nosuchprofile'])
      assert.deepEqual(transport(tcp(id)), { unit: 1, port: 502 });
  });

  it('fills the unit of RTU and Solarman devices', () => {
    const rtu = withProfileDefaults(
      { id: 'r', type: 'rtu', path: '/dev/ttyUSB0', baud: 9600, parity: 'none', profile: 'goodwe' },
      profiles,
    );
    assert.equal(rtu.type === 'rtu' && rtu.unit, 247);
  });
});
