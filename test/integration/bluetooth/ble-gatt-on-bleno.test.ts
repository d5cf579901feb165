/**
 * The EGW GATT service on the real bleno stack (HCI over a pty to the virtual controller), driven by
 * an independent virtual central: advertising, MTU exchange, discovery, the three write styles,
 * notifications cut at MTU−3 with the read fallback, indications, disconnects and two centrals.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { createMetrics } from '../../../server/src/observability/metrics.ts';
import { startApiServer, type ApiServer } from '../../../server/src/api/create-api.ts';
import { documentedClient } from '../openapi-responses.ts';
import { egwttpClient, httpClient } from '../../../client/src/api-client.js';
import { EGW_CHARACTERISTIC_UUID, EGW_SERVICE_UUID } from '../../../bluetooth/src/gatt/egw-gatt-service.ts';
import { parseResponseFrame, requestFrame } from '../../../client/src/egwttp.js';
import { createFakeGateway, type FakeGateway } from '../../fakes/gateway-services.ts';
import { parseAdStructures } from '../../fakes/hci/advertising-parser.ts';
import { startEgwBleOnPty, type EgwBleOnPty } from '../../fakes/hci/egw-ble-on-pty.ts';
import { openGattFrameLink } from '../../fakes/hci/gatt-frame-link.ts';
import type { AttError } from '../../fakes/hci/att-pdu.ts';
import type { DiscoveredCharacteristic, VirtualCentral } from '../../fakes/hci/virtual-central.ts';

const TOKEN = 'gatt-on-bleno-token-0123456789';
/** 44 UTF-8 bytes with two-byte characters where a 29-byte cut would split one. */
const LONG_NAME = 'Wechselrichter-Süd-Dachgeschoß-Garage-Ost';

describe('EGW GATT service on the real bleno stack over the virtual controller', () => {
  let dir = '';
  let gateway: FakeGateway;
  let api: ApiServer;
  let ble: EgwBleOnPty;
  let cryptoBody = '';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'egw-ble-gatt-'));
    gateway = createFakeGateway({ apiToken: TOKEN });
    api = await startApiServer(gateway.services, {
      host: '127.0.0.1',
      port: 0,
      bodyLimitBytes: 65_536,
      corsOrigins: [],
      metrics: createMetrics(gateway.services),
    });
    await writeFile(join(dir, 'api-token'), TOKEN, { mode: 0o600 });
    await writeFile(join(dir, 'ble-pin'), '246810', { mode: 0o600 });
    ble = await startEgwBleOnPty({
      dataDir: dir,
      gatewayUrl: `http://127.0.0.1:${api.port}`,
      args: ['--name', LONG_NAME, '--frame-size', '128', '--no-unprovisioned-window'],
    });
    const http = await httpClient(`http://127.0.0.1:${api.port}`).request('GET', '/api/crypto');
    cryptoBody = JSON.stringify(http.body);
  });

  after(async () => {
    await ble?.stop();
    await api?.close();
    gateway?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** Connects a central, exchanges the MTU, discovers the EGW characteristic. */
  async function connect(mtu: number): Promise<{ central: VirtualCentral; egw: DiscoveredCharacteristic }> {
    await ble.controller.until(() => ble.controller.advertisingEnabled);
    const central = ble.central().connect();
    if (mtu !== 23) await central.exchangeMtu(mtu);
    const services = await central.discover();
    const egw = services.find((s) => s.uuid === EGW_SERVICE_UUID)?.characteristics[0];
    assert.ok(egw, 'EGW service discovered');
    return { central, egw };
  }

  it('advertises flags and the service UUID, the long name cut at a character boundary in the scan response', async () => {
    // The EGW set and Improv's take turns; look at the EGW one.
    const egwUuid = Buffer.from(EGW_SERVICE_UUID.replace(/-/g, ''), 'hex').reverse();
    await ble.controller.until(() => ble.controller.advertisingData.includes(egwUuid));
    const advertisement = parseAdStructures(ble.controller.advertisingData);
    const scanResponse = parseAdStructures(ble.controller.scanResponseData);
    assert.ok(ble.controller.advertisingData.length <= 31 && ble.controller.scanResponseData.length <= 31);
    assert.deepEqual(advertisement.find((s) => s.type === 0x01)?.data, Buffer.from([0x06]));
    const uuids = advertisement.find((s) => s.type === 0x07)?.data;
    assert.equal(
      Buffer.from(uuids ?? [])
        .reverse()
        .toString('hex'),
      EGW_SERVICE_UUID.replace(/-/g, ''),
    );
    const name = scanResponse.find((s) => s.type === 0x08);
    assert.ok(name, 'shortened local name in the scan response');
    const text = new TextDecoder('utf-8', { fatal: true }).decode(name.data);
    assert.ok(name.data.length <= 29 && name.data.length >= 27, `${name.data.length} bytes`);
    assert.ok(LONG_NAME.startsWith(text), `${text} is a prefix of the name`);
    const status = await ble.status();
    assert.equal(status.ble, 'poweredOn');
    const adv = status.advertising as {
      state: string;
      advertisementBytes: number;
      scanResponseBytes: number;
    };
    assert.equal(adv.state, 'advertising');
    // 21 bytes for the EGW set, 31 for Improv's (UUID and service data); both with the cut name.
    assert.ok([21, 31].includes(adv.advertisementBytes), String(adv.advertisementBytes));
    assert.equal(adv.scanResponseBytes, 31);
  });

  it("answers the MTU exchange (23, 185, 247; 517 capped at bleno's 256) and cuts notifications at MTU−3", async () => {
    for (const [asked, granted] of [
      [23, 23],
      [185, 185],
      [247, 247],
      [517, 256],
    ] as const) {
      const central = ble.central().connect();
      assert.equal(await central.exchangeMtu(asked), granted);
      const egw = (await central.discover()).find((s) => s.uuid === EGW_SERVICE_UUID)?.characteristics[0];
      assert.ok(egw?.cccdHandle);
      const link = await openGattFrameLink(central, egw);
      const client = documentedClient(egwttpClient(link));
      const crypto = await client.request('GET', '/api/crypto');
      assert.equal(crypto.status, 200);
      assert.equal(JSON.stringify(crypto.body), cryptoBody);
      // 128-byte frames: cut below MTU 131, whole above.
      assert.equal(link.counters.cutNotifications > 0, granted - 3 < 128, `MTU ${granted}`);
      await central.disconnect();
    }
  });

  it('discovers the EGW service, its read/write/write-command/notify/indicate characteristic and its CCCD', async () => {
    const { central, egw } = await connect(23);
    assert.equal(egw.uuid, EGW_CHARACTERISTIC_UUID);
    assert.equal(egw.properties, 0x02 | 0x04 | 0x08 | 0x10 | 0x20);
    assert.equal(egw.cccdHandle, egw.valueHandle + 1);
    await central.disconnect();
  });

  it('takes a request as Write Commands, as a long write (prepare/execute) and as one Write Request', async () => {
    const { central, egw } = await connect(23);
    for (const writeMode of ['command', 'request'] as const) {
      // At MTU 23 the 60-byte request frame is a long write in 'request' mode, three commands otherwise.
      const client = documentedClient(egwttpClient(await openGattFrameLink(central, egw, { writeMode })));
      const hello = await client.request('GET', '/api/hello');
      assert.equal(hello.status, 200, writeMode);
    }
    await central.exchangeMtu(247);
    await central.write(egw.valueHandle, Buffer.from(requestFrame('GET', '/api/hello')));
    const note = await central.nextPush();
    assert.equal(parseResponseFrame(note.value).status, 200);
    await central.disconnect();
  });

  it('reads a notification cut at MTU−3 back whole with Read Blob, page by page', async () => {
    const { central, egw } = await connect(23);
    await central.subscribe(egw.cccdHandle ?? 0, 1);
    await central.write(egw.valueHandle, Buffer.from('GET /api/crypto EGWTTP/1.1\r\n\r\n'));
    const note = await central.nextPush();
    assert.equal(note.kind, 'notification');
    assert.equal(note.value.length, 20, 'MTU 23 − 3');
    const whole = await central.readLong(egw.valueHandle);
    assert.equal(whole.length, 128, 'the frame size');
    assert.deepEqual(whole.subarray(0, 20), note.value);
    const page = parseResponseFrame(whole);
    assert.equal(page.offset, 0);
    assert.equal(page.contentLength, Buffer.byteLength(cryptoBody));
    await assert.rejects(central.readBlob(egw.valueHandle, 129), (e: AttError) => e.code === 0x07);
    await central.disconnect();
  });

  it('answers a malformed frame with an EGWTTP 400 and keeps serving', async () => {
    const { central, egw } = await connect(247);
    const link = await openGattFrameLink(central, egw);
    await link.write(Buffer.from('\x00\xffnot a request\r\n\r\n', 'latin1'));
    assert.equal(parseResponseFrame(await link.nextFrame()).status, 400);
    assert.equal((await documentedClient(egwttpClient(link)).request('GET', '/api/hello')).status, 200);
    await central.disconnect();
  });

  it('sends indications (0x1D) to a central whose CCCD asked for them, one unconfirmed at a time; notifications to another', async () => {
    const { central, egw } = await connect(247);
    const other = await connect(247);
    await central.subscribe(egw.cccdHandle ?? 0, 2);
    await other.central.subscribe(other.egw.cccdHandle ?? 0, 1);
    let answered = 0;
    const count = (_req: unknown, res: ServerResponse) => res.on('finish', () => answered++);
    api.server.on('request', count);
    try {
      central.holdConfirmations = true;
      // Two requests at once: the second is answered 503 busy at once, then the first's 200 is ready.
      central.writeCommand(egw.valueHandle, Buffer.from(requestFrame('GET', '/api/hello')));
      central.writeCommand(egw.valueHandle, Buffer.from(requestFrame('GET', '/api/version')));
      const busy = await central.nextPush();
      assert.equal(busy.kind, 'indication');
      assert.equal(parseResponseFrame(busy.value).status, 503);
      // The 200 is ready at the gateway; egw-ble holds it while the indication is unconfirmed (ATT
      // transaction), the value stays the indicated frame.
      for (let i = 0; i < 200 && answered < 1; i++) await central.read(egw.valueHandle);
      assert.equal(answered, 1, 'the gateway answered /api/hello');
      for (let i = 0; i < 5; i++) assert.deepEqual(await central.read(egw.valueHandle), busy.value);
      assert.equal(central.queuedPushes(), 0, 'no second indication before the confirmation');
      central.holdConfirmations = false;
      central.confirm();
      const hello = await central.nextPush();
      assert.equal(hello.kind, 'indication');
      assert.equal(parseResponseFrame(hello.value).status, 200);
      assert.equal(central.confirmationsSent, 2, 'each indication confirmed (0x1E)');
      assert.equal(central.indicationsBeforeConfirmation, 0);

      await other.central.write(other.egw.valueHandle, Buffer.from(requestFrame('GET', '/api/hello')));
      assert.equal((await other.central.nextPush()).kind, 'notification');
    } finally {
      api.server.off('request', count);
    }
    await central.disconnect();
    await other.central.disconnect();
  });

  it('serves a paged response over indications at MTU 23 (cut at MTU−3, read fallback)', async () => {
    const { central, egw } = await connect(23);
    const link = await openGattFrameLink(central, egw, { subscription: 'indications' });
    const crypto = await documentedClient(egwttpClient(link)).request('GET', '/api/crypto');
    assert.equal(JSON.stringify(crypto.body), cryptoBody);
    assert.ok(link.counters.indications > 1 && link.counters.indications === link.counters.notifications);
    assert.equal(central.confirmationsSent, link.counters.indications);
    await central.disconnect();
  });

  it('survives a disconnect in the middle of a paged response and serves the reconnected central', async () => {
    const first = await connect(23);
    const link = await openGattFrameLink(first.central, first.egw);
    await link.write(requestFrame('GET', '/api/crypto'));
    const page = parseResponseFrame(await link.nextFrame());
    assert.ok(page.body.length < page.contentLength, 'more pages to come');
    await first.central.disconnect();
    assert.equal(first.central.disconnectReason, 0x13);

    const second = await connect(23);
    const client = documentedClient(egwttpClient(await openGattFrameLink(second.central, second.egw)));
    // A POST continuation on the new connection has no kept response: 410, never run again.
    const secondLink = await openGattFrameLink(second.central, second.egw);
    await secondLink.write(Buffer.from('POST /api/devices EGWTTP/1.1\r\nOffset: 40\r\n\r\n'));
    assert.equal(parseResponseFrame(await secondLink.nextFrame()).status, 410);
    const crypto = await client.request('GET', '/api/crypto');
    assert.equal(JSON.stringify(crypto.body), cryptoBody);
    await second.central.disconnect();
  });

  it("keeps two centrals apart: one at MTU 23 does not shrink the other's notifications at MTU 247", async () => {
    const wide = await connect(247);
    const narrow = await connect(23);
    const wideLink = await openGattFrameLink(wide.central, wide.egw);
    const narrowLink = await openGattFrameLink(narrow.central, narrow.egw);
    const [a, b] = await Promise.all([
      documentedClient(egwttpClient(wideLink)).request('GET', '/api/crypto'),
      documentedClient(egwttpClient(narrowLink)).request('GET', '/api/crypto'),
    ]);
    assert.equal(JSON.stringify(a.body), cryptoBody);
    assert.equal(JSON.stringify(b.body), cryptoBody);
    assert.equal(wideLink.counters.cutNotifications, 0, 'whole 128-byte frames at MTU 247');
    assert.equal(narrowLink.counters.cutNotifications, narrowLink.counters.notifications);
    await Promise.all([wide.central.disconnect(), narrow.central.disconnect()]);
  });
});
