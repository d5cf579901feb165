/**
 * The V5 codec against frames built by hand from the public protocol description (pysolarmanv5
 * docs, "Solarman V5 Protocol"): logger serial 1234567890, request sequence 0xAA, a read of holding
 * register 3 of unit 1.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  encodeV5Request,
  encodeV5Response,
  isV5Error,
  v5Rtu,
  V5Framer,
  V5_CONTROL,
  type V5Frame,
} from '../../../server/src/modbus/solarman-v5-frame.ts';
import { decodeRtu, encodeRtu } from '../../../server/src/modbus/rtu-frame.ts';

// A5 | 17 00 (23-byte payload) | 10 45 (0x4510) | AA 00 | D2 02 96 49 (1234567890) | 02 | 00 00 |
// 3 × 00000000 | 01 03 00 03 00 01 74 0A (RTU, CRC 0x0A74) | 51 (checksum) | 15
const REQUEST = 'a517001045aa00d2029649020000000000000000000000000000010300030001740a5115';
// A5 | 15 00 | 10 15 (0x1510) | AA 07 | serial | 02 01 | working 1000 s | power-on 200 s |
// offset 1700000000 s | 01 03 02 00 2A 39 9B (RTU: value 42) | 01 | 15
const RESPONSE = 'a515001015aa07d20296490201e8030000c800000000f15365010302002a399b0115';

describe('Solarman V5 frames', () => {
  it('wraps an RTU request exactly as the protocol description lays it out', () => {
    const rtu = encodeRtu({ unit: 1, pdu: Buffer.from([3, 0, 3, 0, 1]) });
    assert.equal(rtu.toString('hex'), '010300030001740a');
    assert.equal(encodeV5Request(1234567890, 0xaa, rtu).toString('hex'), REQUEST);
  });

  it('builds a response a logger would send', () => {
    const rtu = encodeRtu({ unit: 1, pdu: Buffer.from([3, 2, 0, 0x2a]) });
    const bytes = encodeV5Response({ sequence: 0xaa, loggerSerial: 1234567890 }, 7, rtu, {
      workingS: 1000,
      powerOnS: 200,
      offsetS: 1_700_000_000,
    });
    assert.equal(bytes.toString('hex'), RESPONSE);
  });

  it('decodes a response split over chunks, with noise before it', () => {
    const framer = new V5Framer();
    const bytes = Buffer.from(RESPONSE, 'hex');
    assert.deepEqual(framer.push(Buffer.concat([Buffer.from([0x00, 0x13]), bytes.subarray(0, 9)])), []);
    const [frame] = framer.push(bytes.subarray(9)) as V5Frame[];
    assert.equal(frame!.control, V5_CONTROL.response);
    assert.equal(frame!.sequence, 0xaa);
    assert.equal(frame!.loggerSequence, 7);
    assert.equal(frame!.loggerSerial, 1234567890);
    assert.deepEqual(decodeRtu(Buffer.from(v5Rtu(frame!))), { unit: 1, pdu: Buffer.from([3, 2, 0, 0x2a]) });
    assert.equal(framer.pendingBytes(), 0);
  });

  it('reports a bad checksum and a bad end byte, and keeps decoding what follows', () => {
    const framer = new V5Framer();
    const bad = Buffer.from(RESPONSE, 'hex');
    bad[bad.length - 2] = bad[bad.length - 2]! ^ 0xff;
    const badEnd = Buffer.from(RESPONSE, 'hex');
    badEnd[badEnd.length - 1] = 0x16;
    const out = framer.push(Buffer.concat([bad, badEnd, Buffer.from(RESPONSE, 'hex')]));
    assert.deepEqual(
      out.map((item) => (isV5Error(item) ? item.error : 'frame')),
      ['checksum', 'end', 'frame'],
    );
  });

  it('holds a truncated frame as pending bytes', () => {
    const framer = new V5Framer();
    assert.deepEqual(framer.push(Buffer.from(RESPONSE, 'hex').subarray(0, 20)), []);
    assert.equal(framer.pendingBytes(), 20);
  });

  it('accepts the double-CRC quirk and refuses a bad RTU CRC', () => {
    const rtu = encodeRtu({ unit: 1, pdu: Buffer.from([3, 2, 0, 0x2a]) });
    assert.deepEqual(decodeRtu(Buffer.concat([rtu, Buffer.from([0, 0])])), {
      unit: 1,
      pdu: Buffer.from([3, 2, 0, 0x2a]),
    });
    const broken = Buffer.from(rtu);
    broken[3] = 0x2b;
    assert.deepEqual(decodeRtu(broken), { error: 'RTU CRC mismatch' });
  });
});
