import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModbusError, NotFoundError, TransportError } from '../../../../server/src/core/errors.ts';
import { discoverSunSpecProfile } from '../../../../server/src/profiles/sunspec/discover-sunspec.ts';
import {
  walkSunSpecChain,
  type RegisterRead,
} from '../../../../server/src/profiles/sunspec/sunspec-chain.ts';

/** A device answering from `registers` (wire address → value) and exception 02 elsewhere; counts reads. */
function device(registers: Map<number, number>): RegisterRead & { reads: number } {
  const read = async (start: number, count: number): Promise<number[]> => {
    read.reads++;
    const out: number[] = [];
    for (let a = start; a < start + count; a++) {
      const value = registers.get(a);
      if (value === undefined) throw new ModbusError(2, { register: a });
      out.push(value);
    }
    return out;
  };
  read.reads = 0;
  return read;
}

/** "SunS" at `base`, then models [id, length] (contents zero), then the end marker unless `end` is false. */
function chain(base: number, models: [number, number][], end = true): Map<number, number> {
  const regs = new Map<number, number>([
    [base, 0x5375],
    [base + 1, 0x6e53],
  ]);
  let at = base + 2;
  for (const [id, length] of models) {
    regs.set(at, id);
    regs.set(at + 1, length);
    for (let i = 0; i < length; i++) regs.set(at + 2 + i, 0);
    at += 2 + length;
  }
  if (end) {
    regs.set(at, 0xffff);
    regs.set(at + 1, 0);
  }
  return regs;
}

test('finds SunS at 40000 and lists models by id, start and length, skipping unknown models by length', async () => {
  const result = await walkSunSpecChain(
    device(
      chain(40000, [
        [1, 66],
        [64110, 7],
        [103, 50],
        [160, 48],
      ]),
    ),
  );
  assert.deepEqual(result, {
    base: 40000,
    models: [
      { id: 1, start: 40002, length: 66 },
      { id: 64110, start: 40070, length: 7 },
      { id: 103, start: 40079, length: 50 },
      { id: 160, start: 40131, length: 48 },
    ],
  });
});

test('falls back to base 0 and then 50000 when earlier bases answer with exceptions or other data', async () => {
  assert.equal(
    (
      await walkSunSpecChain(
        device(
          chain(0, [
            [1, 66],
            [101, 50],
          ]),
        ),
      )
    ).base,
    0,
  );
  const at50000 = chain(50000, [
    [1, 65],
    [113, 60],
  ]);
  at50000.set(40000, 0x1234).set(40001, 0x5678);
  const result = await walkSunSpecChain(device(at50000));
  assert.equal(result.base, 50000);
  assert.deepEqual(
    result.models.map((m) => m.id),
    [1, 113],
  );
});

test('no marker anywhere is a NotFoundError naming the bases tried', async () => {
  await assert.rejects(walkSunSpecChain(device(new Map())), (e: unknown) => {
    return (
      e instanceof NotFoundError && /no SunSpec marker "SunS" at register 40000, 0, 50000/.test(e.message)
    );
  });
});

test('a chain without end marker ends at the first exception after a model', async () => {
  const result = await walkSunSpecChain(
    device(
      chain(
        40000,
        [
          [1, 66],
          [103, 50],
        ],
        false,
      ),
    ),
  );
  assert.deepEqual(
    result.models.map((m) => m.id),
    [1, 103],
  );
});

test('a zero header (padding) ends the chain', async () => {
  const regs = chain(40000, [[1, 66]], false);
  regs.set(40070, 0).set(40071, 0);
  assert.equal((await walkSunSpecChain(device(regs))).models.length, 1);
});

test('transport failures surface instead of being taken for "no SunSpec here"', async () => {
  const dead: RegisterRead = async () => {
    throw new TransportError('socket closed');
  };
  await assert.rejects(walkSunSpecChain(dead), TransportError);
});

test('a device that repeats one model header forever is walked a bounded number of times', async () => {
  const looping: RegisterRead & { reads: number } = Object.assign(
    async (start: number): Promise<number[]> => {
      looping.reads++;
      return start === 40000 ? [0x5375, 0x6e53] : [7, 0];
    },
    { reads: 0 },
  );
  const result = await walkSunSpecChain(looping);
  assert.equal(result.models.length, 100);
  assert.ok(looping.reads <= 101);
});

test('discoverSunSpecProfile walks the chain and builds its profile in one call', async () => {
  const regs = chain(40000, [
    [1, 66],
    [103, 50],
  ]);
  const profile = await discoverSunSpecProfile(device(regs));
  assert.equal(profile.id, 'sunspec');
  assert.equal(profile.points.ac_power_w?.address, 40070 + 14);
});
