/** autocannon in a child process (its client work never shares the measured process's event loop or CPU). */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const round = (n: number): number => Math.round(n * 100) / 100;

/** What one autocannon run reports. */
export interface LoadResult {
  reqPerS: number;
  /** Answers with a 2xx status per second: the requests actually served. */
  okPerS: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  /** non2xx over all answers (0–1): on the real gateway these are the 503s of load shedding. */
  nonOkShare: number;
  errors: number;
}

/** GETs `url` over `connections` connections for `seconds`; resolves autocannon's summary. */
export function autocannon(url: string, seconds: number, connections: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        join(root, 'node_modules/autocannon/autocannon.js'),
        '-c',
        String(connections),
        '-d',
        String(seconds),
        '-j',
        url,
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', reject);
    child.once('exit', () => {
      try {
        const r = JSON.parse(out) as {
          requests: { average: number; total: number };
          latency: { p50: number; p99: number };
          duration: number;
          '2xx': number;
          non2xx: number;
          errors: number;
        };
        resolve({
          reqPerS: round(r.requests.average),
          okPerS: round(r['2xx'] / Math.max(r.duration, 1e-3)),
          nonOkShare: round(r.non2xx / Math.max(1, r['2xx'] + r.non2xx)),
          p50Ms: r.latency.p50,
          p99Ms: r.latency.p99,
          non2xx: r.non2xx,
          errors: r.errors,
        });
      } catch (error) {
        reject(new Error(`autocannon printed no JSON: ${out.slice(0, 200)} (${String(error)})`));
      }
    });
  });
}
