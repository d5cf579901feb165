import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ModbusError } from '../../../server/src/core/errors.ts';
import { handleProxyRequest, type ProxyBackend } from '../../../server/src/proxy/proxy-request-handler.ts';

const hex = (b: Buffer): string => b.toString('hex');
const pdu = (h: string): Buffer => Buffer.from(h.replace(/ /g, ''), 'hex');

function backend(overrides: Partial<ProxyBackend> = {}): ProxyBackend & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    cached: () => undefined,
    read: async (fc, address, count) => {
      calls.push(`read ${fc} ${address}+${count}`);
      return Array.from({ length: count }, (_, i) => 0x100 + i);
    },
    write: async (fc, address, values) => void calls.push(`write ${fc} ${address} ${values.join(',')}`),
    ...overrides,
  };
}
const policy = { toleranceMs: 1000, writable: new Set([0x10, 0x11]) };

describe('handleProxyRequest', () => {
  it('answers a polled range from the cache without touching the device', async () => {
    const b = backend({
      cached: (fc, address, count, maxAgeMs) =>
        maxAgeMs === 1000 && fc === 4 && address === 2 && count === 2 ? [0xabcd, 1] : undefined,
    });
    const answer = await handleProxyRequest(pdu('04 0002 0002'), b, policy);
    assert.equal(hex(answer.pdu), '0404abcd0001');
    assert.equal(answer.outcome, 'cached');
    assert.deepEqual(b.calls, []);
  });

  it('forwards a read the cache cannot answer', async () => {
    const b = backend();
    const answer = await handleProxyRequest(pdu('03 9c40 0002'), b, policy);
    assert.equal(hex(answer.pdu), '030401000101');
    assert.equal(answer.outcome, 'forwarded');
    assert.deepEqual(b.calls, ['read 3 40000+2']);
  });

  it('refuses writes with exception 01 unless every register is allow-listed', async () => {
    const b = backend();
    assert.equal(hex((await handleProxyRequest(pdu('06 0020 0001'), b, policy)).pdu), '8601');
    assert.equal(hex((await handleProxyRequest(pdu('10 0011 0002 04 0001 0002'), b, policy)).pdu), '9001');
    assert.deepEqual(b.calls, []);
    const single = await handleProxyRequest(pdu('06 0010 00ff'), b, policy);
    assert.equal(hex(single.pdu), '06001000ff');
    const multi = await handleProxyRequest(pdu('10 0010 0002 04 0001 0002'), b, policy);
    assert.equal(hex(multi.pdu), '1000100002');
    assert.deepEqual(b.calls, ['write 6 16 255', 'write 16 16 1,2']);
  });

  it('refuses other functions with 01 and bad counts with 03', async () => {
    const b = backend();
    assert.equal(hex((await handleProxyRequest(pdu('01 0000 0008'), b, policy)).pdu), '8101');
    assert.equal(hex((await handleProxyRequest(pdu('03 0000 007e'), b, policy)).pdu), '8303');
    assert.equal(hex((await handleProxyRequest(pdu('03 0000'), b, policy)).pdu), '8301');
  });

  it("passes the device's exception on and answers 0B when the device does not answer", async () => {
    const busy = backend({ read: async () => Promise.reject(new ModbusError(6, {})) });
    assert.deepEqual(await handleProxyRequest(pdu('03 0000 0001'), busy, policy), {
      pdu: pdu('8306'),
      outcome: 'failed',
    });
    const dead = backend({ read: async () => Promise.reject(new Error('timeout')) });
    assert.equal(hex((await handleProxyRequest(pdu('04 0000 0001'), dead, policy)).pdu), '840b');
  });
});
