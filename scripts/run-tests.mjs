#!/usr/bin/env node
// Runs the node:test suites under test/ (or the folders/files given) on Node 24, which strips TypeScript types itself (no transpiler).
// Node 20's --test does not expand globs, so the files are collected here.
import { readdirSync, rmSync, statSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

/** Test files run at the same time unless told otherwise. */
const DEFAULT_CONCURRENCY = 4;

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
// node:test runs max(cores − 1, 1) files at a time by default: one at a time on a 2-core machine. Most
// files spend their time waiting (sockets, child processes, a real-time cadence), not computing, so
// several run side by side (measured: docs in /work/notes/testtime.md). EGW_TEST_CONCURRENCY or an
// explicit --test-concurrency overrides it.
const concurrency = passThrough.some((a) => a.startsWith('--test-concurrency'))
  ? []
  : [`--test-concurrency=${process.env.EGW_TEST_CONCURRENCY ?? DEFAULT_CONCURRENCY}`];
// The processes whose real-time cadence a test checks (the e2e gateway and its simulator) get a
// higher priority than the test files running beside them (EGW_TEST_CADENCE_NICE, applied by
// test/integration/favour-cadence.ts, where permitted): with several files side by side on 2 cores, a 10 Hz
// loop would now and then be starved by its neighbours, and the test would measure them, not the gateway.
const cadenceNice = process.env.EGW_TEST_CADENCE_NICE ?? String(Math.max(getPriority() - 10, -20));
// One id per run: the first test process that checks answers writes the OpenAPI document to a file of
// this run, the others read it (test/integration/gateway-openapi-document.ts); removed at the end.
const runId = `${process.pid}-${randomUUID()}`;
const result = spawnSync(
  process.execPath,
  ['--test', '--test-reporter=spec', ...concurrency, ...validateResponses, ...passThrough, ...files],
  {
    stdio: 'inherit',
    env: {
      ...process.env,
      EGW_LOG_LEVEL: process.env.EGW_LOG_LEVEL ?? 'silent',
      EGW_TEST_RUN_ID: runId,
      EGW_TEST_CADENCE_NICE: cadenceNice,
      // Every test file and every child process it starts reuses the stripped, compiled modules of the
      // ones before it instead of running the TypeScript stripper again.
      NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE ?? join(tmpdir(), 'egw-compile-cache'),
    },
  },
);
rmSync(join(tmpdir(), `egw-openapi-${runId}.json`), { force: true });
process.exit(result.status ?? 1);
