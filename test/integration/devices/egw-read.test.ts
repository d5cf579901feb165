/**
 * `egw read --json` (in-process command line) against a raw-socket Modbus responder serving each profile's
 * register image: the printed reading must equal the canonical reading for every profile.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeReading, type RawBlock } from '../../../server/src/profiles/decode.ts';
import { encodeReading, type RegisterImage } from '../../../server/src/profiles/encode.ts';
import { wireBlocks } from '../../../server/src/profiles/profile-blocks.ts';
import type { Profile } from '../../../server/src/profiles/profile-schema.ts';
import { ProfileRegistry } from '../../../server/src/profiles/profile-registry.ts';
import { ModbusResponder } from '../../fakes/modbus-responder.ts';
import { egw } from './egw-cli.ts';
import { loadImage, sunspecDevice, valuesFor } from './profile-images.ts';

/** What the in-process decoder makes of the image: the reading egw read must print. */
function expectedReading(profile: Profile, image: RegisterImage): Record<string, unknown> {
  const blocks: RawBlock[] = wireBlocks(profile).map((b) => ({
    function: b.function,
    start: b.start,
    registers: Array.from(
      { length: b.count },
      (_, i) => (b.function === 3 ? image.holding : image.input).get(b.start + i) ?? 0,
    ),
  }));
  return { device: 'inv1', profile: profile.id, ...decodeReading(profile, blocks) };
}

/** Every encoded value must come back within the register's resolution. */
function assertCloseToInput(
  reading: Record<string, unknown>,
  input: Record<string, unknown>,
  profile: Profile,
) {
  for (const [field, value] of Object.entries(input)) {
    const got = reading[field];
    if (typeof value === 'number') {
      assert.equal(typeof got, 'number', `${profile.id}: ${field} missing`);
      const gain = Math.abs(profile.points[field as keyof Profile['points']]?.gain ?? 1);
      const tolerance = Math.max(0.011, Math.abs(value) * 0.002, gain / 2 + 1e-9);
      assert.ok(
        Math.abs((got as number) - value) <= tolerance,
        `${profile.id}: ${field} ${String(got)} ≠ ${value}`,
      );
    } else {
      assert.equal(got, value, `${profile.id}: ${field}`);
    }
  }
}

describe('egw read --json', () => {
  const registry = ProfileRegistry.load();
  let responder: ModbusResponder;

  before(async () => {
    responder = await ModbusResponder.start();
  });
  after(() => responder.close());

  async function readAndCompare(
    id: string,
    profileArg: string,
    unit: number,
    profile: Profile,
    image: RegisterImage,
    input: Record<string, unknown>,
  ): Promise<void> {
    loadImage(responder, unit, image);
    const started = Date.now();
    const run = await egw([
      'read',
      '--host',
      '127.0.0.1',
      '--port',
      String(responder.port),
      '--unit',
      String(unit),
      '--profile',
      profileArg,
      '--id',
      'inv1',
      '--json',
    ]);
    assert.equal(run.code, 0, `${id}: exit ${run.code}: ${run.stderr}`);
    const lines = run.stdout.trim().split('\n');
    assert.equal(lines.length, 1, 'one JSON object on stdout');
    const reading = JSON.parse(lines[0]!) as Record<string, unknown>;
    const { ts, read_ms: readMs, ...rest } = reading;
    assert.ok(typeof ts === 'number' && ts >= started - 1000 && ts <= Date.now(), `${id}: ts ${String(ts)}`);
    assert.ok(typeof readMs === 'number' && readMs >= 0);
    assert.deepEqual(rest, expectedReading(profile, image), id);
    assertCloseToInput(reading, input, profile);
  }

  // Each profile gets its own unit id on the one responder.
  const profiles = registry.list();
  test(`prints the canonical reading for every file profile (${profiles.map((p) => p.id).join(', ')})`, async () => {
    assert.ok(profiles.length > 0);
    // One read at a time: the responder and the command share this event loop, and a read's
    // synchronous start (loading the profile files) would hold up another read's reply past its timeout.
    for (const [i, profile] of profiles.entries()) {
      const input = valuesFor(profile);
      await readAndCompare(profile.id, profile.id, 10 + i, profile, encodeReading(profile, input), input);
    }
  });

  test('prints the canonical reading of a SunSpec device (profile sunspec, and auto)', async () => {
    const { profile, image } = sunspecDevice();
    const input = valuesFor(profile);
    await readAndCompare('sunspec', 'sunspec', 1, profile, image, input);
    await readAndCompare('auto', 'auto', 1, profile, image, input);
  });
});
