import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { handlePdu, summarizePdu } from '../../../../modbus_slave/src/server/modbus-pdu.ts';
import { emptyImage, fillRange } from '../../../../modbus_slave/src/server/register-image.ts';
import { malform } from '../../../../modbus_slave/src/server/modbus-tcp-server.ts';

function image() {
  const img = emptyImage();
  img.holding.set(100, 0x1234).set(101, 0xabcd);
  img.input.set(5, 42);
  return img;
}

describe('handlePdu', () => {
  it('answers a holding read with byte count and big-endian words', () => {
    assert.deepEqual([...handlePdu(image(), Buffer.from([3, 0, 100, 0, 2]))], [3, 4, 0x12, 0x34, 0xab, 0xcd]);
  });

  it('reads input registers from their own table', () => {
    assert.deepEqual([...handlePdu(image(), Buffer.from([4, 0, 5, 0, 1]))], [4, 2, 0, 42]);
    assert.deepEqual([...handlePdu(image(), Buffer.from([3, 0, 5, 0, 1]))], [0x83, 2]);
  });

  it('answers exception 02 when any register of the range is not served', () => {
    assert.deepEqual([...handlePdu(image(), Buffer.from([3, 0, 101, 0, 2]))], [0x83, 0x02]);
  });

  it('answers exception 03 for a count above 125 and 01 for an unknown function', () => {
    const big = emptyImage();
    fillRange(big.holding, 0, 200);
    assert.deepEqual([...handlePdu(big, Buffer.from([3, 0, 0, 0, 126]))], [0x83, 0x03]);
    assert.deepEqual([...handlePdu(big, Buffer.from([3, 0, 0, 0, 125]))].slice(0, 2), [3, 250]);
    assert.deepEqual([...handlePdu(big, Buffer.from([0x2b, 0x0e, 1, 0]))], [0xab, 0x01]);
  });

  it('writes single and multiple registers that exist, echoing the request, and reports them', () => {
    const img = image();
    const writes: [number, number[]][] = [];
    const sink = (address: number, values: number[]): void => void writes.push([address, values]);
    assert.deepEqual([...handlePdu(img, Buffer.from([6, 0, 100, 0, 7]), sink)], [6, 0, 100, 0, 7]);
    assert.deepEqual(
      [...handlePdu(img, Buffer.from([16, 0, 100, 0, 2, 4, 0, 1, 0, 2]), sink)],
      [16, 0, 100, 0, 2],
    );
    assert.equal(img.holding.get(101), 2);
    assert.deepEqual(writes, [
      [100, [7]],
      [100, [1, 2]],
    ]);
    assert.deepEqual([...handlePdu(img, Buffer.from([6, 0, 200, 0, 7]))], [0x86, 0x02]);
  });

  it('summarizes requests for logs and fault decisions', () => {
    assert.deepEqual(summarizePdu(Buffer.from([3, 0, 100, 0, 2])), {
      functionCode: 3,
      address: 100,
      count: 2,
    });
    assert.deepEqual(summarizePdu(Buffer.from([6, 0, 100, 0, 2])), {
      functionCode: 6,
      address: 100,
      count: 1,
    });
  });

  it('malforms a read response by claiming more bytes than it carries', () => {
    assert.deepEqual([...malform(Buffer.from([3, 2, 0, 1]))], [3, 4, 0, 1]);
    assert.deepEqual([...malform(Buffer.from([6, 0, 1, 0, 2]))], [6]);
  });
});
