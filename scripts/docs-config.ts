// Regenerates the configuration reference table in README.md from the config schema (npm run docs:config).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { replaceReference } from '../server/src/config/config-reference.ts';

const readme = fileURLToPath(new URL('../README.md', import.meta.url));
const before = readFileSync(readme, 'utf8');
const after = replaceReference(before);
if (after !== before) writeFileSync(readme, after);
console.log(
  after === before
    ? 'README.md configuration reference is up to date'
    : 'README.md configuration reference updated',
);
