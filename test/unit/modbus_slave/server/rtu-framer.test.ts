import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { crc16, encodeRtu, RtuFramer } from '../../../../modbus_slave/src/server/rtu-framer.ts';

describe('RTU framing', () => {
  it('computes CRC-16/MODBUS as the specification example shows (01 03 00 00 00 0A → C5 CD)', () => {
    const frame = encodeRtu({ unit: 1, pdu: Buffer.from([3, 0, 0, 0, 0x0a]) });
    assert.deepEqual([...frame.subarray(6)], [0xc5, 0xcd]);
    assert.equal(crc16(Buffer.from('123456789')), 0x4b37);
  });

  it('splits read and write requests by their function code, across chunks', () => {
    const framer = new RtuFramer();
    const read = encodeRtu({ unit: 2, pdu: Buffer.from([4, 0, 1, 0, 2]) });
    const write = encodeRtu({ unit: 2, pdu: Buffer.from([16, 0, 1, 0, 1, 2, 0xbe, 0xef]) });
    const stream = Buffer.concat([read, write]);
    assert.deepEqual(framer.push(stream.subarray(0, 5)), []);
    const frames = framer.push(stream.subarray(5));
    assert.deepEqual(
      frames.map((f) => [f.unit, f.pdu[0]]),
      [
        [2, 4],
        [2, 16],
      ],
    );
  });

  it('skips noise and a frame with a bad CRC, then finds the next good frame', () => {
    const framer = new RtuFramer();
    const bad = encodeRtu({ unit: 1, pdu: Buffer.from([3, 0, 0, 0, 1]) });
    bad[bad.length - 1] = bad[bad.length - 1]! ^ 0xff;
    const good = encodeRtu({ unit: 1, pdu: Buffer.from([3, 0, 9, 0, 1]) });
    const frames = framer.push(Buffer.concat([Buffer.from([0x00]), bad, good]));
    assert.equal(frames.length, 1);
    assert.equal(frames[0]!.pdu.readUInt16BE(1), 9);
    assert.ok(framer.skippedBytes > 0);
  });
});
