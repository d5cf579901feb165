import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { installerProfiles } from '../../../scripts/installer-profiles.ts';
// @ts-expect-error -- generated plain-JS module without a .d.ts
import { PROFILES } from '../../../client/installer/profiles.js';

describe('installer profile list', () => {
  it('offers every profile the gateway ships (regenerate: npm run docs:installer-profiles)', () => {
    const rows = installerProfiles();
    assert.ok(rows.length >= 30, `${rows.length} profiles`);
    assert.deepEqual(PROFILES, rows);
  });
});
