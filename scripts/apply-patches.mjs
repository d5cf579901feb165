#!/usr/bin/env node
// postinstall: applies patches/ to node_modules with patch-package (patches/README.md says what each
// patch does and why). @stoprocent/bleno is optional (it may not install on a machine that cannot
// build or fetch its addon): without it there is nothing to patch, and that is not an error.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
if (!existsSync(join(root, 'node_modules/@stoprocent/bleno/package.json'))) {
  console.log('apply-patches: @stoprocent/bleno is not installed (optional); no patch to apply');
  process.exit(0);
}
const run = spawnSync(
  process.execPath,
  [join(root, 'node_modules/patch-package/index.js'), '--error-on-fail'],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
process.exit(run.status ?? 1);
