#!/usr/bin/env node
// Runs the node:test suites under test/ (or the folders/files given) on Node 24, which strips TypeScript types itself (no transpiler).
// Node 20's --test does not expand globs, so the files are collected here.
import { readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

function collect(path) {
  const info = statSync(path);
  if (info.isFile()) return path.endsWith('.test.ts') ? [path] : [];
  return readdirSync(path)
    .sort()
    .flatMap((name) => collect(join(path, name)));
}

const roots = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const passThrough = process.argv.slice(2).filter((a) => a.startsWith('--'));
const files = (roots.length ? roots : ['test']).flatMap(collect);
if (files.length === 0) {
  console.error('run-tests: no test files found');
  process.exit(1);
}
// Every answer an integration or e2e test gets from the gateway through fetch is validated against the
// OpenAPI document (test/integration/validate-fetch-responses.ts; a no-op in other test processes).
const validateResponses = [
  '--import',
  pathToFileURL(join(import.meta.dirname, '..', 'test', 'integration', 'validate-fetch-responses.ts')).href,
];
const result = spawnSync(
  process.execPath,
  ['--test', '--test-reporter=spec', ...validateResponses, ...passThrough, ...files],
  {
    stdio: 'inherit',
    env: {
      ...process.env,
      EGW_LOG_LEVEL: process.env.EGW_LOG_LEVEL ?? 'silent',
      // Every test file and every child process it starts reuses the stripped, compiled modules of the
      // ones before it instead of running the TypeScript stripper again.
      NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE ?? join(tmpdir(), 'egw-compile-cache'),
    },
  },
);
process.exit(result.status ?? 1);
