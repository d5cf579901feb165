#!/usr/bin/env node
// `npm test`: the type-check, lint and format check (`npm run typecheck`, `npm run lint`) and every test
// file (scripts/run-tests.mjs, arguments passed on); it fails when any of them fails. The checks are
// pure CPU while the test files mostly wait (sockets, child processes, real-time cadence), so all run
// side by side, the checks at a lower priority (nice 10) so they take only the CPU the tests leave idle.
// The tests' output streams; each check's output is printed when it has ended.
import { spawn } from 'node:child_process';

/** Runs a command; resolves its exit code and (when `capture`) its output. */
function run(command, args, capture) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    let output = '';
    if (capture) {
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
    }
    child.on('error', (error) => resolve({ code: 1, output: `${output}${error.message}\n` }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output }));
  });
}

const checks = ['typecheck', 'lint'].map(async (script) => {
  const { code, output } = await run('nice', ['-n', '10', 'npm', 'run', '--silent', script], true);
  return { script, code, output };
});
const tests = run(process.execPath, ['scripts/run-tests.mjs', ...process.argv.slice(2)], false);

let failed = (await tests).code !== 0;
for (const { script, code, output } of await Promise.all(checks)) {
  process.stdout.write(`\n# npm run ${script}: ${code === 0 ? 'ok' : `FAILED (exit ${code})`}\n${output}`);
  if (code !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
