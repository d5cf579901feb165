import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  REFERENCE_END,
  REFERENCE_START,
  configReference,
  replaceReference,
} from '../../../server/src/config/config-reference.ts';
import { configKeys } from '../../../server/src/config/config-keys.ts';

describe('configuration reference', () => {
  it('has one row per config key with its variable, type and default', () => {
    const table = configReference();
    const lines = table.split('\n');
    assert.equal(lines.length, configKeys().length + 2);
    assert.ok(
      lines.includes(
        '| `http.port` | `EGW_HTTP_PORT` | integer 0–65535 | `5000` | web API port (0 = any free port) |',
      ),
    );
  });

  it('in README.md matches the schema (run `npm run docs:config` after changing schema.ts)', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    assert.ok(
      readme.includes(REFERENCE_START) && readme.includes(REFERENCE_END),
      'README has the reference markers',
    );
    assert.equal(
      readme,
      replaceReference(readme),
      'README configuration table is stale: run `npm run docs:config`',
    );
  });

  it('replaces only the text between the markers', () => {
    const text = `intro\n${REFERENCE_START}\nold table\n${REFERENCE_END}\noutro\n`;
    const out = replaceReference(text);
    assert.ok(out.startsWith(`intro\n${REFERENCE_START}\n| key |`));
    assert.ok(out.endsWith(`\n${REFERENCE_END}\noutro\n`));
    assert.ok(!out.includes('old table'));
    assert.throws(() => replaceReference('no markers'), /not found/);
  });
});
