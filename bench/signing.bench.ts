// ES256K JWT signing rate of the device key (@noble/secp256k1, RFC 6979, low-S) on a realistic batch
// of 10 harvests, and the verification rate with node:crypto (what a backend does per batch).
import { verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateDeviceKey } from '../server/src/identity/device-key.ts';
import { createBatch } from '../server/src/identity/batch-jwt.ts';
import type { Reading } from '../server/src/core/reading.ts';
import type { BenchFigures, BenchOptions } from './bench-types.ts';

function harvest(ts: number): Reading {
  return {
    device: 'inv1',
    profile: 'sunspec',
    ts,
    read_ms: 41,
    status: 'producing',
    ac_power_w: 4213,
    dc_power_w: 4388,
    energy_total_wh: 12_345_678,
    grid_frequency_hz: 50.012,
    ac_voltage_l1_v: 231.2,
    ac_voltage_l2_v: 230.8,
    ac_voltage_l3_v: 232.0,
    ac_current_l1_a: 6.1,
    ac_current_l2_a: 6.0,
    ac_current_l3_a: 6.2,
    temperature_c: 41.5,
    pv1_voltage_v: 612.3,
    pv1_current_a: 7.2,
    grid_frequency_min_hz: 49.998,
    grid_frequency_max_hz: 50.021,
    grid_frequency_mean_hz: 50.011,
    grid_frequency_samples: 10,
  };
}

const round = (n: number): number => Math.round(n * 10) / 10;

/** Signs and verifies batch JWTs; figures per second. */
export default async function signingBench({ quick }: BenchOptions): Promise<BenchFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'egw-bench-sign-'));
  try {
    const key = loadOrCreateDeviceKey(dir);
    const count = quick ? 500 : 5000;
    const inputs = Array.from({ length: count }, (_, i) => ({
      model: 'sunspec',
      harvests: Array.from({ length: 10 }, (_, j) => harvest(1_767_225_600_000 + (i * 10 + j) * 1000)),
    }));
    for (let i = 0; i < 50; i++) createBatch(key, inputs[i]!, i + 1); // warm-up (JIT, precomputed tables)
    let t0 = performance.now();
    const jwts = inputs.map((input, i) => createBatch(key, input, i + 1).jwt);
    const signMs = performance.now() - t0;
    const parts = jwts.map((jwt) => {
      const [h, p, s] = jwt.split('.') as [string, string, string];
      return { input: Buffer.from(`${h}.${p}`), sig: Buffer.from(s, 'base64url') };
    });
    const pub = { key: key.publicKeyPem, dsaEncoding: 'ieee-p1363' as const };
    t0 = performance.now();
    let ok = 0;
    for (const { input, sig } of parts) if (verify('sha256', input, pub, sig)) ok++;
    const verifyMs = performance.now() - t0;
    if (ok !== count) throw new Error(`only ${ok} of ${count} signatures verified`);
    return {
      batches: count,
      jwtBytes: Math.round(jwts.reduce((n, j) => n + j.length, 0) / count),
      signPerSecond: round((count * 1000) / signMs),
      signMsEach: Math.round((signMs / count) * 1000) / 1000,
      verifyPerSecond: round((count * 1000) / verifyMs),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
