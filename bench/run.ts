// Runs the benchmarks under bench/ (every *.bench.ts, or those whose names are given) and prints a JSON
// report and a readable table. `npm run bench -- --quick` is the short run; `npm run bench -- engine`
// runs one. The JSON report is also written to bench-output/latest.json.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import type { Bench, BenchFigures } from './bench-types.ts';

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const wanted = args.filter((a) => !a.startsWith('--'));

const available = readdirSync(benchDir)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.slice(0, -'.bench.ts'.length))
  .sort();
const unknown = wanted.filter((w) => !available.includes(w));
if (unknown.length > 0) {
  console.error(`bench: no benchmark named ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}
const selected = wanted.length > 0 ? available.filter((n) => wanted.includes(n)) : available;

const results: Record<string, BenchFigures | { error: string }> = {};
const startedAt = new Date().toISOString();
let failed = false;
for (const name of selected) {
  const module = (await import(pathToFileURL(join(benchDir, `${name}.bench.ts`)).href)) as { default: Bench };
  const t0 = performance.now();
  try {
    results[name] = {
      ...(await module.default({ quick })),
      wallSeconds: round((performance.now() - t0) / 1000),
    };
  } catch (error) {
    failed = true;
    results[name] = { error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
}

const report = {
  startedAt,
  quick,
  node: process.version,
  platform: `${process.platform}-${process.arch}`,
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? 'unknown',
  results,
};
const json = JSON.stringify(report, null, 2);
console.log(json);
console.log();
for (const [name, figures] of Object.entries(results)) {
  console.log(`== ${name}${quick ? ' (quick)' : ''}`);
  const width = Math.max(...Object.keys(figures).map((k) => k.length));
  for (const [key, value] of Object.entries(figures)) console.log(`  ${key.padEnd(width)}  ${String(value)}`);
}
mkdirSync('bench-output', { recursive: true });
writeFileSync(join('bench-output', 'latest.json'), `${json}\n`);
process.exit(failed ? 1 : 0);

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
