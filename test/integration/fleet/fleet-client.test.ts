import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FleetClient, checkAssignment } from '../../../server/src/fleet/fleet-client.ts';
import { formatDevices } from '../../../server/src/cli/commands/fleet.ts';

// balena's cloud API cannot exist on this machine: a loopback server answers the OData requests the
// real balena-sdk sends, and records them so the test checks what crossed the wire.
interface Seen {
  method: string;
  url: string;
  auth: string | undefined;
  body: string;
}
const seen: Seen[] = [];
let apiUrl = '';
const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString()));
  req.on('end', () => {
    seen.push({
      method: req.method ?? '',
      url: decodeURIComponent(req.url ?? ''),
      auth: req.headers.authorization,
      body,
    });
    res.setHeader('content-type', 'application/json');
    if (req.url?.startsWith('/v7/application?')) return res.end(JSON.stringify({ d: [{ id: 7 }] }));
    if (req.url?.startsWith('/v7/device?')) {
      return res.end(
        JSON.stringify({
          d: [
            {
              uuid: 'a1b2c3d4e5f6',
              device_name: 'roof-north',
              is_online: true,
              last_connectivity_event: '2026-11-25T10:00:00.000Z',
              device_tag: [{ tag_key: 'egw.serial', value: 'EGW-0123456789AB' }],
              is_running__release: [{ commit: 'deadbeefcafe' }],
            },
            {
              uuid: 'ffeeddccbbaa',
              device_name: 'barn',
              is_online: false,
              device_tag: [],
              is_running__release: [],
            },
          ],
        }),
      );
    }
    if (req.method === 'POST') {
      res.statusCode = 201;
      return res.end(JSON.stringify({ id: 1 }));
    }
    res.end(JSON.stringify({ d: [] }));
  });
});

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

test('lists a fleet with serials from device tags, authenticated with the API key', async () => {
  seen.length = 0;
  const devices = await new FleetClient('key-123', apiUrl).list('acme/egw');
  assert.deepEqual(devices, [
    {
      uuid: 'a1b2c3d4e5f6',
      name: 'roof-north',
      online: true,
      lastSeen: '2026-11-25T10:00:00.000Z',
      serial: 'EGW-0123456789AB',
      release: 'deadbee',
    },
    { uuid: 'ffeeddccbbaa', name: 'barn', online: false },
  ]);
  assert.ok(seen.every((s) => s.auth === 'Bearer key-123'));
  assert.ok(seen.some((s) => s.url.includes("slug eq 'acme/egw'")));
  const table = formatDevices(devices).split('\n');
  assert.match(
    table[1]!,
    /^roof-north\s+a1b2c3d\s+online\s+2026-11-25T10:00:00.000Z\s+EGW-0123456789AB\s+deadbee$/,
  );
  assert.match(table[2]!, /^barn\s+ffeeddc\s+offline\s+-\s+-\s+-$/);
});

test('sets fleet variables only after every one passed the config schema', async () => {
  seen.length = 0;
  const client = new FleetClient('key-123', apiUrl);
  await assert.rejects(
    client.setEnv('acme/egw', { EGW_HTTP_PORT: '8080', EGW_HTTP_PROT: '1' }),
    /EGW_HTTP_PROT: not a configuration variable/,
  );
  await assert.rejects(
    client.setEnv('acme/egw', { EGW_HTTP_PORT: 'eighty' }),
    /EGW_HTTP_PORT \(http\.port\)/,
  );
  assert.equal(seen.length, 0, 'nothing reached the API');
  await client.setEnv('acme/egw', { EGW_HTTP_PORT: '8080' });
  const post = seen.find((s) => s.method === 'POST');
  assert.ok(post, 'a variable was created');
  assert.match(post.body, /"name":"EGW_HTTP_PORT"/);
  assert.match(post.body, /"value":"8080"/);
});

test('checks boolean and JSON variables by kind', () => {
  assert.throws(() => checkAssignment('EGW_DEVICES', '[{'), /EGW_DEVICES: expected JSON/);
  assert.doesNotThrow(() => checkAssignment('EGW_DEVICES', '[]'));
  assert.doesNotThrow(() => checkAssignment('EGW_LOG_LEVEL', 'debug'));
  assert.throws(() => checkAssignment('EGW_LOG_LEVEL', 'loud'), /EGW_LOG_LEVEL/);
});
