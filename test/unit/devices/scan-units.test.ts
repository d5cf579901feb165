import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseUnits } from '../../../server/src/devices/scan-units.ts';
import { subnetHosts } from '../../../server/src/modbus/tcp-probe.ts';

test('parseUnits expands ranges and lists, sorted and unique', () => {
  assert.deepEqual(parseUnits('3,1-2, 2-4'), [1, 2, 3, 4]);
  assert.equal(parseUnits('1-247').length, 247);
  assert.throws(() => parseUnits('5-2'), /units "5-2": want N or N-M within 0-255/);
  assert.throws(() => parseUnits('1-300'), /within 0-255/);
  assert.throws(() => parseUnits('x'), /units "x"/);
});

test('subnetHosts lists the host addresses of a CIDR block', () => {
  assert.deepEqual(subnetHosts('192.168.1.77/30'), ['192.168.1.77', '192.168.1.78']);
  assert.deepEqual(subnetHosts('10.0.0.5/32'), ['10.0.0.5']);
  const hosts = subnetHosts('192.168.1.0/24');
  assert.equal(hosts.length, 254);
  assert.equal(hosts[0], '192.168.1.1');
  assert.equal(hosts.at(-1), '192.168.1.254');
  assert.throws(() => subnetHosts('10.0.0.0/8'), /from \/16 to \/32/);
  assert.throws(() => subnetHosts('300.1.1.1/24'), /subnet "300.1.1.1\/24"/);
});
