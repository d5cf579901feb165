import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModbusError, NotFoundError, TimeoutError, TransportError } from '../../../server/src/core/errors.ts';
import { identifyProfile, matchesIdentifyRule } from '../../../server/src/devices/identify-profile.ts';
import type { RegisterReader } from '../../../server/src/devices/register-reader.ts';
import { findSunSpecChain } from '../../../server/src/devices/sunspec-discovery.ts';
import { ProfileRegistry } from '../../../server/src/profiles/profile-registry.ts';
import { textToWords } from '../../../server/src/profiles/register-codec.ts';

/** A device as a register map; unmapped registers answer with exception 02, or time out when listed. */
function device(map: Record<number, number[]>, silent: number[] = []): RegisterReader {
  return async (_fc, address, count) => {
    if (silent.includes(address)) throw new TimeoutError(`no reply at ${address}`);
    const start = Object.keys(map)
      .map(Number)
      .find((s) => address >= s && address + count <= s + (map[s]?.length ?? 0));
    if (start === undefined) throw new ModbusError(2, { register: address });
    return map[start]!.slice(address - start, address - start + count);
  };
}

const dir = mkdtempSync(join(tmpdir(), 'egw-identify-'));
writeFileSync(
  join(dir, 'acme.json'),
  JSON.stringify({
    id: 'acme',
    make: 'Acme',
    transport: { addressing: 1 },
    blocks: [{ start: 101, count: 2 }],
    identify: { address: 101, equals: [0xac, 0x3e] },
    points: { ac_power_w: { address: 102, type: 'u16' } },
  }),
);
const registry = ProfileRegistry.load({ extraDir: dir });
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('identify rules compare raw registers at the wire address (1-based documents)', async () => {
  const acme = registry.get('acme');
  assert.equal(await matchesIdentifyRule(device({ 100: [0xac, 0x3e] }), acme), true);
  assert.equal(await matchesIdentifyRule(device({ 100: [0xac, 0x3f] }), acme), false);
  assert.equal(await matchesIdentifyRule(device({}), acme), false, 'exception 02 means no');
  assert.equal(await matchesIdentifyRule(device({}, [100]), acme), false, 'silence means no');
});

test('a transport failure stops identification instead of being taken for "no"', async () => {
  const dead: RegisterReader = async () => {
    throw new TransportError('inv1: connection lost');
  };
  await assert.rejects(matchesIdentifyRule(dead, registry.get('acme')), TransportError);
});

test('identifyProfile falls back to identify rules when SunSpec finds nothing', async () => {
  const found = await identifyProfile('inv1', device({ 100: [0xac, 0x3e] }), registry, async () => undefined);
  assert.equal(found.profile.id, 'acme');
  assert.equal(found.how, 'identify rule of acme');
  await assert.rejects(
    identifyProfile('inv1', device({}), registry, async () => undefined),
    (e) =>
      e instanceof NotFoundError &&
      /^inv1: no profile recognised the device: .*identify rules tried: .*acme/.test(e.message),
  );
});

test('SunSpec discovery probes each base on its own: silence at 40000 does not hide a chain at 0', async () => {
  const chain = await findSunSpecChain(device({ 0: [0x5375, 0x6e53, 1, 2, 0, 0, 0xffff, 0] }, [40000]));
  assert.deepEqual(chain, { base: 0, models: [{ id: 1, start: 2, length: 2 }] });
  assert.equal(await findSunSpecChain(device({ 40000: textToWords('xx', 2) })), undefined);
});

test('`--profile auto` tries the identify rule of every profile that has one', async () => {
  const withRule = registry.list().filter((p) => p.identify !== undefined);
  assert.ok(withRule.length >= 11, `${withRule.length} rules (10 built-in + acme)`);
  const asked: number[] = [];
  const nothing: RegisterReader = async (_fc, address) => {
    asked.push(address);
    throw new ModbusError(2, { register: address });
  };
  await assert.rejects(
    identifyProfile('inv1', nothing, registry, async () => undefined),
    (e: Error) => {
      const tried = /identify rules tried: (.*)$/.exec(e.message)?.[1]?.split(', ');
      assert.deepEqual(
        tried,
        withRule.map((p) => p.id),
      );
      return true;
    },
  );
  assert.equal(asked.length, withRule.length, 'one read per rule');
});

test("without a named unit, each identify rule is tried at its profile's unit (SMA at 3)", async () => {
  const sma = registry.get('sma');
  const rule = sma.identify!;
  const atUnit = (unit: number): RegisterReader =>
    unit === sma.transport.unit ? device({ [rule.address]: rule.equals ?? [] }) : device({});
  const found = await identifyProfile('inv1', device({}), registry, async () => undefined, undefined, atUnit);
  assert.deepEqual([found.profile.id, found.unit], ['sma', 3]);
  await assert.rejects(
    identifyProfile('inv1', device({}), registry, async () => undefined),
    NotFoundError,
    'at unit 1 only, the SMA is not found',
  );
});
