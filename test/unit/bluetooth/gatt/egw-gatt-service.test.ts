import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import bleno from '@stoprocent/bleno';
import { flushAsync, ManualClock } from '../../../../server/src/core/clock.ts';
import { EgwttpConnection, type EgwttpHandler } from '../../../../bluetooth/src/egwttp/egwttp-connection.ts';
import { parseResponseFrame, requestFrame } from '../../../../client/src/egwttp.js';
import {
  EGW_CHARACTERISTIC_UUID,
  EGW_SERVICE_UUID,
  EgwGattService,
} from '../../../../bluetooth/src/gatt/egw-gatt-service.ts';
import { ApiForwarder } from '../../../../bluetooth/src/provisioning/api-forwarder.ts';
import { ApiTokenSource } from '../../../../bluetooth/src/provisioning/api-token-source.ts';
import { asEmitter, FakeCentral } from './fake-central.ts';

function serviceWith(
  handler: EgwttpHandler,
  frameSizeBytes = 512,
  clock = new ManualClock(),
): EgwGattService {
  return new EgwGattService(
    bleno,
    (id, send) => new EgwttpConnection({ id, handler, clock, send, frameSizeBytes }),
  );
}

function patterned(size: number): Buffer {
  const body = Buffer.alloc(size);
  for (let i = 0; i < size; i++) body[i] = (i * 7 + (i >> 8)) & 0xff;
  return body;
}

// Behaviour on the wire (MTU cuts, reads past the end, malformed frames, connections kept apart) is
// tested on the real bleno stack: test/integration/bluetooth/ble-gatt-on-bleno.test.ts.
describe('EgwGattService on bleno Characteristic objects', () => {
  it("uses the original firmware's UUIDs and properties", () => {
    const gatt = serviceWith(async () => ({ status: 200, body: new Uint8Array() }));
    assert.equal(gatt.service.uuid, EGW_SERVICE_UUID.replaceAll('-', ''));
    assert.equal(gatt.characteristic.uuid, EGW_CHARACTERISTIC_UUID.replaceAll('-', ''));
    assert.ok(gatt.characteristic instanceof bleno.Characteristic);
    assert.deepEqual([...gatt.characteristic.properties].sort(), [
      'indicate',
      'notify',
      'read',
      'write',
      'writeWithoutResponse',
    ]);
  });

  it('reassembles a request written in 20-byte pieces', async () => {
    const seen: string[] = [];
    const gatt = serviceWith(async (request) => {
      seen.push(Buffer.from(request.body).toString('utf8'));
      return { status: 201, body: Buffer.from('{}') };
    });
    const central = new FakeCentral(gatt.characteristic, 1);
    const body = JSON.stringify({ ssid: 'Home Net', passphrase: 'correct horse battery staple' });
    const result = await central.request('POST', '/api/wifi', body);
    assert.deepEqual(seen, [body]);
    assert.equal(result.status, 201);
  });

  for (const frameSize of [64, 128, 512]) {
    it(`pages responses of 1 byte to 64 KiB at frame size ${frameSize} and reassembles the exact body`, async () => {
      for (const size of [1, 100, 511, 513, 5000, 65_536]) {
        const body = patterned(size);
        const gatt = serviceWith(async () => ({ status: 200, body }), frameSize);
        const result = await new FakeCentral(gatt.characteristic, 7).request('GET', '/api/crypto');
        assert.equal(result.status, 200);
        assert.deepEqual(result.body, body, `size ${size}`);
        assert.ok(size <= frameSize / 2 || result.pages > 1);
      }
    });
  }

  it('times out an incomplete request with 408 on the injected clock', async () => {
    const clock = new ManualClock();
    const gatt = serviceWith(async () => ({ status: 200, body: new Uint8Array() }), 512, clock);
    const central = new FakeCentral(gatt.characteristic, 6);
    await central.write(Buffer.from('POST /api/wifi EGWTTP/1.1\r\nContent-Length: 50\r\n\r\n{"ss'));
    assert.equal(central.notifications.length, 0);
    await clock.advance(30_000);
    assert.equal(parseResponseFrame(await central.read()).status, 408);
  });
});

describe('indications (CCCD 0x0002, the 4th subscribe argument of our bleno patch)', () => {
  it('sends the next frame on the confirmation only, and keeps at most 8 waiting', async () => {
    // The first request never ends, so each further one is answered 503 busy at once.
    const gatt = serviceWith(() => new Promise(() => {}));
    const characteristic = asEmitter(gatt.characteristic);
    const sent: Buffer[] = [];
    characteristic.emit('subscribe', 3, 509, (data: Buffer) => sent.push(data), 0x0002);
    const write = (frame: Uint8Array) =>
      new Promise((resolve) => characteristic.emit('writeRequest', 3, Buffer.from(frame), 0, false, resolve));
    for (let i = 0; i < 21; i++) await write(requestFrame('GET', '/api/hello'));
    await flushAsync();
    assert.equal(sent.length, 1, 'one indication until it is confirmed');
    assert.equal(parseResponseFrame(sent[0]!).status, 503);
    characteristic.emit('indicate', 3);
    assert.equal(sent.length, 2);
    for (let i = 0; i < 20; i++) characteristic.emit('indicate', 3);
    assert.equal(sent.length, 1 + 8, 'the frames past 8 waiting were dropped');
  });
});

describe('continuation of a POST over GATT against a loopback HTTP API', () => {
  let server: Server;
  let posts = 0;
  let url = '';
  const bigBody = JSON.stringify({ id: 'inv1', note: 'x'.repeat(2000) });

  before(async () => {
    server = createServer((req, res) => {
      if (req.method === 'POST') posts += 1;
      req.resume();
      req.on('end', () => {
        res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' });
        res.end(bigBody);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('answers every page from the kept response: the POST runs once', async () => {
    const clock = new ManualClock();
    const forwarder = new ApiForwarder({
      gatewayUrl: url,
      tokens: new ApiTokenSource('/nonexistent', 'tok'),
      clock,
    });
    const gatt = serviceWith((request) => forwarder.forward(request), 128, clock);
    const central = new FakeCentral(gatt.characteristic, 9);
    const result = await central.request('POST', '/api/inverter', '{"ip":"127.0.0.1","port":502}');
    assert.equal(result.status, 201);
    assert.equal(result.body.toString('utf8'), bigBody);
    assert.ok(result.pages > 10);
    assert.equal(posts, 1);
  });

  it('refuses to re-run a POST whose kept response expired (410) but re-runs a GET', async () => {
    const clock = new ManualClock();
    const forwarder = new ApiForwarder({
      gatewayUrl: url,
      tokens: new ApiTokenSource('/nonexistent', 'tok'),
      clock,
    });
    const gatt = serviceWith((request) => forwarder.forward(request), 128, clock);
    const central = new FakeCentral(gatt.characteristic, 12);
    const before = posts;
    await central.exchange(requestFrame('POST', '/api/inverter', '{}'));
    await clock.advance(121_000);
    await central.exchange(Buffer.from('POST /api/inverter EGWTTP/1.1\r\nOffset: 20\r\n\r\n'));
    assert.equal(parseResponseFrame(await central.read()).status, 410);
    assert.equal(posts, before + 1);
    await central.exchange(Buffer.from('GET /api/devices EGWTTP/1.1\r\nOffset: 20\r\n\r\n'));
    const page = parseResponseFrame(await central.read());
    assert.equal(page.status, 200);
    assert.equal(page.offset, 20);
  });
});
