/** `egw scan` and the failure paths of `egw read`, as child processes against the raw-socket responder. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { encodeReading } from '../../../server/src/profiles/encode.ts';
import { ProfileRegistry } from '../../../server/src/profiles/profile-registry.ts';
import { ModbusResponder } from '../../fakes/modbus-responder.ts';
import { egw } from './egw-cli.ts';
import { loadImage, sunspecDevice } from './profile-images.ts';

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('egw scan', () => {
  let responder: ModbusResponder;
  const huawei = ProfileRegistry.load()
    .list()
    .find((p) => p.id === 'huawei');

  before(async () => {
    // Units 1 and 3 exist; the others stay silent like an empty RS-485 bus behind a gateway.
    responder = await ModbusResponder.start({ units: [1, 3], missingUnit: 'silent' });
    loadImage(responder, 1, sunspecDevice().image);
    if (huawei)
      loadImage(
        responder,
        3,
        encodeReading(huawei, { model: 'SUN2000-6KTL-M1', serial: 'HW123', ac_power_w: 1 }),
      );
  });
  after(() => responder.close());

  test('finds the answering units and identifies their profiles (host and subnet)', async () => {
    const port = String(responder.port);
    const [byHost, bySubnet] = await Promise.all([
      egw(['scan', '--host', '127.0.0.1', '--port', port, '--units', '1-4', '--timeout', '200', '--json']),
      egw(['scan', '--subnet', '127.0.0.1/32', '--port', port, '--units', '1', '--json']),
    ]);
    assert.equal(byHost.code, 0, byHost.stderr);
    const results = JSON.parse(byHost.stdout) as Array<Record<string, unknown>>;
    assert.deepEqual(
      results.map((r) => [r.unit, r.profile]),
      huawei
        ? [
            [1, 'sunspec'],
            [3, 'huawei'],
          ]
        : [[1, 'sunspec']],
    );
    assert.equal(results[0]?.target, `127.0.0.1:${port}`);
    assert.equal(results[0]?.model, 'TEST-5K');
    assert.match(String(results[0]?.how), /^SunSpec chain at 40000 \(models 1, 103, 120, 160\)$/);
    if (huawei) assert.equal(results[1]?.serial, 'HW123');
    assert.equal(bySubnet.code, 0, bySubnet.stderr);
    assert.deepEqual(
      (JSON.parse(bySubnet.stdout) as Array<Record<string, unknown>>).map((r) => r.unit),
      [1],
    );
  });

  test('fails with one line when nothing answers, or the command line is wrong', async () => {
    const port = String(responder.port);
    const refused = String(await closedPort());
    const [empty, noProfile, readRefused, help, badUnits] = await Promise.all([
      egw(['scan', '--host', '127.0.0.1', '--port', port, '--units', '5-6', '--timeout', '100']),
      egw(['read', '--host', '127.0.0.1', '--port', port]),
      egw([
        'read',
        '--host',
        '127.0.0.1',
        '--port',
        refused,
        '--profile',
        'sunspec',
        '--json',
        '--timeout',
        '500',
      ]),
      egw(['read', '--help']),
      egw(['scan', '--host', '127.0.0.1', '--units', '9-3']),
    ]);
    assert.equal(empty.code, 1);
    assert.equal(empty.stderr, `egw scan: no Modbus device answered at 127.0.0.1:${port} (units 5-6)\n`);
    assert.equal(noProfile.code, 2);
    assert.equal(noProfile.stderr, 'egw read: --profile ID is required (or --profile auto)\n');
    assert.equal(readRefused.code, 1);
    assert.equal(readRefused.stdout, '');
    assert.match(
      readRefused.stderr,
      new RegExp(`^egw read: device \\(127\\.0\\.0\\.1:${refused}\\): cannot connect: .*ECONNREFUSED.*\\n$`),
    );
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: egw read --host H/);
    assert.equal(badUnits.code, 2);
    assert.match(badUnits.stderr, /^egw scan: units "9-3": want N or N-M within 0-255\n$/);
  });
});
