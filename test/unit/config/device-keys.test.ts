import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../server/src/config/load-config.ts';

it('refuses a misspelt key inside devices[] instead of silently using the default', () => {
  const dir = mkdtempSync(join(tmpdir(), 'egw-device-keys-'));
  try {
    const file = join(dir, 'config.json');
    writeFileSync(
      file,
      JSON.stringify({
        devices: [{ id: 'inv1', type: 'tcp', host: '10.0.0.5', prot: 1502, profile: 'huawei' }],
      }),
    );
    assert.throws(
      () => loadConfig({ file, env: {} }),
      /unknown key "devices\[0\]\.prot" for a tcp device \(known here: .*port/,
    );
    writeFileSync(
      file,
      JSON.stringify({
        devices: [{ id: 'inv1', type: 'tcp', host: '10.0.0.5', port: 1502, profile: 'huawei' }],
      }),
    );
    assert.equal(loadConfig({ file, env: {} }).devices[0]?.type, 'tcp');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
