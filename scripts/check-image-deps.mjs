#!/usr/bin/env node
// Checks what the device image's runtime stage contains, without a Docker engine: runs the Dockerfile's
// own `npm ci` line (build stage) on a copy of package.json and package-lock.json in a temp folder,
// lists the installed packages and fails if any of them is a devDependency or one that must never
// ship (tsx, esbuild, typescript, balena-sdk). Prints the package count and size. Used by .ci/run.
import { execSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
const install = /^RUN (npm ci[^\n]*)$/m.exec(dockerfile)?.[1];
if (!install || !install.includes('--omit=dev')) {
  console.error(`check-image-deps: the Dockerfile must install with npm ci --omit=dev (found: ${install})`);
  process.exit(1);
}
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
// @types/* are exempt: libraries (mqtt) depend on type packages themselves; they are inert text.
const forbidden = new Set(
  [...Object.keys(pkg.devDependencies ?? {}), 'tsx', 'esbuild', 'typescript', 'balena-sdk'].filter(
    (name) => !name.startsWith('@types/'),
  ),
);

const dir = mkdtempSync(join(tmpdir(), 'egw-image-deps-'));
try {
  for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(root, file), join(dir, file));
  // Install scripts skipped: the question is which packages land, not whether their addons build here.
  execSync(`${install} --ignore-scripts --prefer-offline`, {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const installed = packagesIn(join(dir, 'node_modules'));
  const bad = [...new Set(installed.map((p) => p.name))].filter((name) => forbidden.has(name)).sort();
  const bytes = installed.reduce((sum, p) => sum + p.bytes, 0);
  const mb = (n) => `${(n / 2 ** 20).toFixed(1)} MB`;
  const largest = [...installed].sort((a, b) => b.bytes - a.bytes).slice(0, 5);
  console.log(`check-image-deps: \`${install}\` installs ${installed.length} packages, ${mb(bytes)}`);
  console.log(`  largest: ${largest.map((p) => `${p.name} ${mb(p.bytes)}`).join(', ')}`);
  if (bad.length > 0) {
    console.error(`check-image-deps: must not be in the device image: ${bad.join(', ')}`);
    process.exitCode = 1;
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** Every package folder under node_modules (scoped and nested ones too), with its size in bytes. */
function packagesIn(modules) {
  let entries;
  try {
    entries = readdirSync(modules, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    if (!e.isDirectory() || e.name.startsWith('.')) return [];
    const path = join(modules, e.name);
    if (e.name.startsWith('@')) {
      return readdirSync(path).flatMap((n) => packageAt(join(path, n), `${e.name}/${n}`));
    }
    return packageAt(path, e.name);
  });
}

function packageAt(path, name) {
  return [{ name, bytes: sizeOf(path, 'node_modules') }, ...packagesIn(join(path, 'node_modules'))];
}

function sizeOf(path, skip) {
  const info = statSync(path);
  if (!info.isDirectory()) return info.size;
  return readdirSync(path).reduce((sum, n) => (n === skip ? sum : sum + sizeOf(join(path, n), skip)), 0);
}
