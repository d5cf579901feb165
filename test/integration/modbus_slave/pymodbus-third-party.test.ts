/**
 * A third-party client against the simulator: pymodbus (Debian python3-pymodbus) reads every simulated
 * vendor's documented register ranges, blocks, frequency and identify registers without an exception,
 * and its own SunSpec walk discovers the simulated SolarEdge (and the Fronius layouts) by "SunS", the
 * model ids and lengths.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ProfileRegistry } from '../../../server/src/profiles/profile-registry.ts';
import type { Profile } from '../../../server/src/profiles/profile-schema.ts';
import { wireAddress } from '../../../server/src/profiles/register-codec.ts';
import { startSimulator } from '../../../modbus_slave/src/simulator.ts';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./pymodbus_read_ranges.py', import.meta.url));
const skip = existsSync('/usr/lib/python3/dist-packages/pymodbus')
  ? false
  : 'pymodbus not installed (apt-get install python3-pymodbus)';

/** Every range a client may read on a device of this profile, in wire addresses: [function, start, count]. */
function rangesOf(profile: Profile): [number, number, number][] {
  const wire = (fn: number, start: number, count: number): [number, number, number] => [
    fn,
    wireAddress(profile, start),
    Math.min(count, 65536 - wireAddress(profile, start)),
  ];
  const ranges = [
    ...profile.documentedRanges.map((r) => wire(r.function, r.start, r.count)),
    ...profile.blocks.map((b) => wire(b.function, b.start, b.count)),
  ];
  if (profile.frequency)
    ranges.push(wire(profile.frequency.function, profile.frequency.start, profile.frequency.count));
  if (profile.identify)
    ranges.push(wire(profile.identify.function, profile.identify.address, profile.identify.size));
  return ranges;
}

interface PymodbusResult {
  errors: string[];
  reads: number;
  chains: Record<string, [number, number][]>;
}

function runPymodbus(input: unknown): Promise<PymodbusResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`pymodbus script exited ${code}: ${err}`));
      else resolve(JSON.parse(out) as PymodbusResult);
    });
    child.stdin.end(JSON.stringify(input));
  });
}

test(
  'pymodbus reads every documented range of every simulated vendor and walks the SolarEdge SunSpec chain',
  { skip },
  async () => {
    const registry = ProfileRegistry.load();
    const profiles = registry.list();
    const sim = await startSimulator({ seed: 5, devices: profiles.map((p) => ({ profile: p.id })) });
    try {
      const devices = sim.devices.map((d) => ({
        id: d.id,
        port: d.port,
        unit: d.unit,
        ranges: rangesOf(registry.get(d.profile)),
      }));
      const sunspec = sim.devices
        .filter((d) => ['solaredge', 'fronius', 'fronius-gen24'].includes(d.profile))
        .map((d) => ({ id: d.id, port: d.port, unit: d.unit }));
      const result = await runPymodbus({ devices, sunspec });
      assert.deepEqual(result.errors, []);
      assert.ok(result.reads >= devices.length * 2, `reads: ${result.reads}`);
      assert.deepEqual(result.chains.solaredge, [
        [1, 65],
        [103, 50],
      ]);
      assert.deepEqual(
        result.chains['fronius-gen24']?.map(([id]) => id),
        [1, 103, 120, 121, 122, 123, 160, 124],
      );
      assert.deepEqual(
        result.chains.fronius?.map(([id]) => id),
        [1, 113, 120],
      );
      // Nothing answered with an exception: the simulator served every request it was sent.
      const exceptions = sim.stats().devices.reduce((n, d) => n + d.server.exceptionsSent, 0);
      assert.equal(exceptions, 0);
    } finally {
      await sim.stop();
    }
  },
);
