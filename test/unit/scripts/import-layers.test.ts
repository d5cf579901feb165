// The import-direction rule: eslint.config.js (built from scripts/import-layers.mjs) reports an import
// that runs up the layer order, and the tree as it is has none.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { readdirSync } from 'node:fs';
import { ESLint } from 'eslint';
// @ts-expect-error -- plain ES module script without type declarations
import { findViolations, unitOf } from '../../../scripts/import-layers.mjs';

const eslint = new ESLint({ cwd: process.cwd() });

/** Messages of the direction rule for `code` linted as if it were the file at `filePath`. */
async function directionMessages(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('import direction rule', () => {
  it('reports Modbus code importing from devices/ (a higher folder)', async () => {
    const messages = await directionMessages(
      "import type { DeviceReader } from '../devices/device-reader.ts';\nexport type X = DeviceReader;\n",
      'server/src/modbus/wrong.ts',
    );
    assert.equal(messages.length, 1);
    assert.match(messages[0]!, /server\/src\/modbus must not import server\/src\/devices/);
  });

  it('reports core importing anything of ours, the API importing modbus/, the CLI importing the simulator or bluetooth/', async () => {
    const cases: [string, string][] = [
      [
        "import { Scheduler } from '../engine/scheduler.ts';\nexport { Scheduler };\n",
        'server/src/core/wrong.ts',
      ],
      [
        "import type { ModbusObserver } from '../../modbus/modbus-observer.ts';\nexport type X = ModbusObserver;\n",
        'server/src/api/routes/wrong.ts',
      ],
      [
        "import { startSimulator } from '../../../../modbus_slave/src/simulator.ts';\nexport { startSimulator };\n",
        'server/src/cli/commands/wrong.ts',
      ],
      [
        "import { loadOrCreateBlePin } from '../../../../bluetooth/src/provisioning/pin.ts';\nexport { loadOrCreateBlePin };\n",
        'server/src/cli/commands/wrong.ts',
      ],
      [
        "import { Outbox } from '../../server/src/outbox/outbox.ts';\nexport { Outbox };\n",
        'bluetooth/src/wrong.ts',
      ],
    ];
    for (const [code, filePath] of cases) {
      assert.equal((await directionMessages(code, filePath)).length, 1, filePath);
    }
  });

  it('accepts imports that run down the order', async () => {
    const code =
      "import type { Clock } from '../core/clock.ts';\nimport type { Profile } from '../profiles/profile-schema.ts';\nexport type X = [Clock, Profile];\n";
    assert.deepEqual(await directionMessages(code, 'server/src/modbus/right.ts'), []);
    const demo =
      "import { startSimulator } from '../../../modbus_slave/src/simulator.ts';\nexport { startSimulator };\n";
    assert.deepEqual(await directionMessages(demo, 'server/src/demo/right.ts'), []);
  });

  it('knows the layer of every folder under server/src (a new folder is checked only once listed)', () => {
    const unlisted = readdirSync('server/src', { withFileTypes: true })
      .map((entry) => `server/src/${entry.name}`)
      .filter((path) => unitOf(path) === undefined);
    assert.deepEqual(unlisted, [], 'add these to LAYERS in scripts/import-layers.mjs and to the README map');
  });

  it('finds no upward or sideways import in the tree', () => {
    assert.deepEqual(findViolations(), []);
  });
});
