import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeReading, type RawBlock } from '../../../../server/src/profiles/decode.ts';
import { wireBlocks, wireFrequencyBlock } from '../../../../server/src/profiles/profile-blocks.ts';
import { ProfileRegistry } from '../../../../server/src/profiles/profile-registry.ts';
import {
  expressibleStatus,
  identityFor,
  profileImager,
  profileShape,
} from '../../../../modbus_slave/src/device/profile-imager.ts';
import { Site } from '../../../../modbus_slave/src/physics/site.ts';
import { handlePdu } from '../../../../modbus_slave/src/server/modbus-pdu.ts';
import type { RegisterImage } from '../../../../modbus_slave/src/server/register-image.ts';

const registry = ProfileRegistry.load();

/** Reads a block through the same PDU handler the servers use. */
function readBlock(image: RegisterImage, fn: 3 | 4, start: number, count: number): number[] {
  const answer = handlePdu(image, Buffer.from([fn, start >> 8, start & 0xff, 0, count]));
  assert.equal(answer[0], fn, `block ${fn}:${start}+${count} answered ${answer.toString('hex')}`);
  return Array.from({ length: count }, (_, i) => answer.readUInt16BE(2 + 2 * i));
}

describe('profile imager: what the simulator serves decodes back to its physics', () => {
  for (const profile of registry.list()) {
    it(`${profile.id}: every block readable, decoded values match the simulated ones`, () => {
      const site = new Site({ seed: 2, latitudeDeg: 50, startTimeMs: Date.UTC(2026, 5, 21, 11) });
      const shape = profileShape(profile);
      const model =
        shape.kind === 'meter'
          ? site.addMeter({ phases: shape.phases })
          : site.addInverter({
              ratedPowerW: shape.ratedPowerW ?? 8000,
              mppts: shape.mppts,
              phases: shape.phases,
            });
      site.advanceTo(Date.UTC(2026, 5, 21, 11, 0, 10));
      const values = { ...identityFor(profile, 'SIM0012345678', 'Model X'), ...model.values() };
      const image = profileImager(profile)(values);
      const blocks: RawBlock[] = wireBlocks(profile).map((b) => ({
        function: b.function,
        start: b.start,
        registers: readBlock(image, b.function, b.start, b.count),
      }));
      const frequency = wireFrequencyBlock(profile);
      if (frequency) readBlock(image, frequency.function, frequency.start, frequency.count);
      const identify = profile.identify;
      if (identify?.equals) {
        const start = identify.address - profile.transport.addressing;
        assert.deepEqual(readBlock(image, identify.function, start, identify.equals.length), identify.equals);
      }
      const decoded = decodeReading(profile, blocks) as Record<string, unknown>;
      for (const [field, value] of Object.entries(values)) {
        if (!(field in profile.points) || field in profile.constants) continue;
        const got = decoded[field];
        if (field === 'status') {
          assert.equal(got, expressibleStatus(profile, value as never), field);
        } else if (typeof value === 'number') {
          assert.equal(typeof got, 'number', `${field} decoded as ${String(got)}`);
          const tolerance = Math.max(Math.abs(value) * 0.01, field.endsWith('_wh') ? 1000 : 0.2);
          assert.ok(
            Math.abs((got as number) - value) <= tolerance,
            `${field}: served ${value}, decoded ${String(got)}`,
          );
        }
      }
    });
  }
});
