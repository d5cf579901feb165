import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseHciUart } from '../../../../bluetooth/src/gatt/hci-uart.ts';

describe('parseHciUart', () => {
  it('reads PATH[:BAUD], 1 Mbaud by default', () => {
    assert.deepEqual(parseHciUart('/dev/ttyACM0'), { port: '/dev/ttyACM0', baudRate: 1_000_000 });
    assert.deepEqual(parseHciUart('/dev/serial0:115200'), { port: '/dev/serial0', baudRate: 115_200 });
  });

  it('refuses a relative path or a baud rate out of range, naming the option', () => {
    for (const bad of ['ttyACM0', '/dev/ttyS0:12', '/dev/ttyS0:fast', '']) {
      assert.throws(() => parseHciUart(bad), /--hci-uart/);
    }
  });
});
