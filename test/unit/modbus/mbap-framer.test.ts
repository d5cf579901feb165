import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeMbap, MalformedStreamError, MbapFramer } from '../../../server/src/modbus/mbap-framer.ts';

const read = (transactionId: number): Buffer =>
  encodeMbap({ transactionId, unit: 1, pdu: Buffer.from([3, 0x75, 0x30, 0, 2]) });

describe('MbapFramer', () => {
  it('yields nothing until a frame is complete, then the frame', () => {
    const framer = new MbapFramer();
    const bytes = read(7);
    for (let i = 0; i < bytes.length - 1; i++) assert.deepEqual(framer.push(bytes.subarray(i, i + 1)), []);
    const frames = framer.push(bytes.subarray(bytes.length - 1));
    assert.equal(frames.length, 1);
    assert.equal(frames[0]!.transactionId, 7);
    assert.equal(frames[0]!.unit, 1);
    assert.deepEqual([...frames[0]!.pdu], [3, 0x75, 0x30, 0, 2]);
    assert.equal(framer.pendingBytes(), 0);
  });

  it('splits pipelined requests arriving in one chunk, keeping a trailing partial one', () => {
    const framer = new MbapFramer();
    const third = read(3);
    const frames = framer.push(Buffer.concat([read(1), read(2), third.subarray(0, 4)]));
    assert.deepEqual(
      frames.map((f) => f.transactionId),
      [1, 2],
    );
    assert.equal(framer.pendingBytes(), 4);
    assert.deepEqual(
      framer.push(third.subarray(4)).map((f) => f.transactionId),
      [3],
    );
  });

  it('rejects a stream with a non-zero protocol id or an impossible length', () => {
    const bad = read(1);
    bad.writeUInt16BE(1, 2);
    assert.throws(() => new MbapFramer().push(bad), MalformedStreamError);
    const long = read(1);
    long.writeUInt16BE(300, 4);
    assert.throws(() => new MbapFramer().push(long), /length 300/);
  });

  it('encodes the MBAP length as PDU bytes plus the unit id', () => {
    const bytes = encodeMbap({ transactionId: 0x1234, unit: 9, pdu: Buffer.from([4, 2, 0, 1]) });
    assert.deepEqual([...bytes], [0x12, 0x34, 0, 0, 0, 5, 9, 4, 2, 0, 1]);
  });
});
