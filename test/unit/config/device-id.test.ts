import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEVICE_ID, freeDeviceId } from '../../../server/src/config/device-id.ts';
import { routeAccess } from '../../../bluetooth/src/provisioning/route-policy.ts';
import { TcpDeviceSchema } from '../../../server/src/config/schema.ts';

describe('device-id policy', () => {
  it('accepts letters, digits, "-" and "_" up to 32, starting with a letter or digit', () => {
    for (const id of ['inv1', 'sunspec-1', 'A_b-9', 'x'.repeat(32)]) assert.ok(DEVICE_ID.test(id), id);
    for (const id of ['', '-a', '_a', 'a b', 'a/b', 'ä', 'x'.repeat(33)]) assert.ok(!DEVICE_ID.test(id), id);
  });

  it('is the rule of the config schema and of the BLE route allow-list alike', () => {
    for (const id of ['inv1', '-a', 'x'.repeat(33)]) {
      const valid = DEVICE_ID.test(id);
      assert.equal(TcpDeviceSchema.shape.id.safeParse(id).success, valid, `schema, ${id}`);
      assert.equal(routeAccess('DELETE', `/api/devices/${id}`) === 'mutate', valid, `BLE, ${id}`);
    }
  });

  it('generates the first free <stem>-<n> that the rule accepts', () => {
    const taken = new Set(['sunspec-1', 'sunspec-2']);
    assert.equal(
      freeDeviceId('sunspec', (id) => taken.has(id)),
      'sunspec-3',
    );
    assert.equal(
      freeDeviceId('--my profile/ä', () => false),
      'myprofile-1',
    );
    assert.equal(
      freeDeviceId('___', () => false),
      'device-1',
    );
    const long = freeDeviceId('p'.repeat(40), () => false);
    assert.ok(DEVICE_ID.test(long), long);
  });
});
