/** `egw scan` and the failure paths of `egw read` (in-process command line) against the raw-socket responder. */
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

/** Exit code and stderr of an in-process run (these paths print nothing on stdout). */
async function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  const { code, stdout, stderr } = await egw(args);
  assert.equal(stdout, '');
  return { code, stderr };
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

  test('egw read that cannot connect exits 1 with one line naming the device and reason', async () => {
    const refused = String(await closedPort());
    const run = await egw([
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
    ]);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.match(
      run.stderr,
      new RegExp(`^egw read: device \\(127\\.0\\.0\\.1:${refused}\\): cannot connect: .*ECONNREFUSED.*\\n$`),
    );
  });

  test('usage problems and an empty scan: one line on stderr, exit 2 or 1', async () => {
    const port = String(responder.port);
    assert.deepEqual(
      await cli(['scan', '--host', '127.0.0.1', '--port', port, '--units', '5-6', '--timeout', '100']),
      {
        code: 1,
        stderr: `egw scan: no Modbus device answered at 127.0.0.1:${port} (units 5-6)\n`,
      },
    );
    assert.deepEqual(await cli(['read', '--host', '127.0.0.1', '--port', port]), {
      code: 2,
      stderr: 'egw read: --profile ID is required (or --profile auto)\n',
    });
    assert.deepEqual(await cli(['read', '--host', 'h', '--serial', '/dev/x', '--profile', 'sunspec']), {
      code: 2,
      stderr: 'egw read: name the device with either --host H (Modbus TCP) or --serial PATH (RTU)\n',
    });
    assert.deepEqual(await cli(['scan', '--host', '127.0.0.1', '--units', '9-3']), {
      code: 2,
      stderr: 'egw scan: units "9-3": want N or N-M within 0-255\n',
    });
  });
});
