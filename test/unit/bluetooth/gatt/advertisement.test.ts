import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildAdvertisingData, cutUtf8 } from '../../../../bluetooth/src/gatt/advertisement.ts';
import { EGW_SERVICE_UUID } from '../../../../bluetooth/src/gatt/egw-gatt-service.ts';
import { parseAdStructures } from '../../../fakes/hci/advertising-parser.ts';

describe('advertising data', () => {
  it('keeps a short name beside the flags and the UUID, with an empty scan response', () => {
    const ad = buildAdvertisingData('EGW-3F9A', EGW_SERVICE_UUID);
    assert.equal(ad.advertisement.length, 31);
    assert.deepEqual(
      parseAdStructures(ad.advertisement).map((s) => s.type),
      [0x01, 0x07, 0x09],
    );
    assert.equal(ad.scanResponse.length, 0);
  });

  it('moves a derived name that does not fit into the scan response, whole up to 29 bytes', () => {
    const ad = buildAdvertisingData('emerald-gentle-squirrel', EGW_SERVICE_UUID);
    assert.equal(ad.advertisement.length, 21);
    const [name] = parseAdStructures(ad.scanResponse);
    assert.equal(name?.type, 0x09, 'complete local name');
    assert.equal(name?.data.toString(), 'emerald-gentle-squirrel');
  });

  it('cuts a long name to 29 UTF-8 bytes at a character boundary and marks it shortened', () => {
    for (const name of ['a'.repeat(40), 'ß'.repeat(20), 'x' + '€'.repeat(12), '😀'.repeat(9)]) {
      const ad = buildAdvertisingData(name, EGW_SERVICE_UUID);
      assert.ok(ad.scanResponse.length <= 31);
      const [short] = parseAdStructures(ad.scanResponse);
      assert.equal(short?.type, 0x08);
      const text = new TextDecoder('utf-8', { fatal: true }).decode(short?.data);
      assert.ok(name.startsWith(text) && short!.data.length > 25, `${name}: ${short!.data.length}`);
    }
  });

  it('cuts at a character boundary', () => {
    assert.equal(cutUtf8('aé', 2).bytes.toString(), 'a');
    assert.deepEqual(cutUtf8('abc', 3), { bytes: Buffer.from('abc'), cut: false });
  });
});
