import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { createMetrics } from '../../server/src/observability/metrics.ts';
import { startApiServer, type ApiServer } from '../../server/src/api/create-api.ts';
import { SystemClock } from '../../server/src/core/clock.ts';
import { silentLogger } from '../../server/src/core/logger.ts';
import { startBleService, type BleService } from '../../bluetooth/src/ble-service.ts';
import { createFakeGateway, type FakeGateway } from '../fakes/gateway-services.ts';

const CLIENT_DIR = resolve('client');
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript' };

/** Serves client/ as static files (ES modules need an http origin). */
function staticServer(): Promise<Server> {
  const server = createServer((req, res) => {
    const path = normalize(join(CLIENT_DIR, new URL(req.url ?? '/', 'http://x').pathname));
    if (!path.startsWith(CLIENT_DIR)) return void res.writeHead(403).end();
    readFile(path)
      .then((data) => res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'text/plain' }).end(data))
      .catch(() => res.writeHead(404).end());
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(server)));
}

describe('installer page over the WebSocket transport in Chromium', () => {
  let dir = '';
  let gateway: FakeGateway;
  let api: ApiServer;
  let ble: BleService;
  let web: Server;
  let browser: Browser;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'egw-installer-'));
    gateway = createFakeGateway({ apiToken: 'installer-token-0123456789' });
    api = await startApiServer(gateway.services, {
      host: '127.0.0.1',
      port: 0,
      bodyLimitBytes: 65_536,
      corsOrigins: [],
      metrics: createMetrics(gateway.services),
    });
    await writeFile(join(dir, 'api-token'), 'installer-token-0123456789', { mode: 0o600 });
    await writeFile(join(dir, 'ble-pin'), '135790', { mode: 0o600 });
    ble = await startBleService({
      clock: new SystemClock(),
      logger: silentLogger(),
      dataDir: dir,
      gatewayUrl: `http://127.0.0.1:${api.port}`,
      transports: ['ws'],
      frameSizeBytes: 128,
      bootWindowMs: 600_000,
      openWindowMs: 600_000,
      controlSocket: false,
    });
    web = await staticServer();
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-background-networking'],
    });
  });

  after(async () => {
    await browser?.close();
    await new Promise<void>((done) => (web ? web.close(() => done()) : done()));
    await ble?.stop();
    await api?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('connects, unlocks with the PIN, shows the identity, adds an inverter and joins Wi-Fi', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const webPort = (web.address() as AddressInfo).port;
    await page.goto(`http://127.0.0.1:${webPort}/installer/index.html?ws=ws://127.0.0.1:${ble.wsPort}`);
    await page.click('#connect-button');
    await page.waitForSelector('#connect-state.ok');
    await page.waitForFunction(() => document.getElementById('identity')?.textContent?.includes('serial'));
    assert.match((await page.textContent('#identity')) ?? '', new RegExp(gateway.services.identity.serial));

    await page.fill('#pin', '000000');
    await page.click('#pin-button');
    await page.waitForSelector('#pin-state.error');
    await page.fill('#pin', '135790');
    await page.click('#pin-button');
    await page.waitForSelector('#pin-state.ok');

    const before = gateway.devices.list().length;
    await page.fill('#inv-ip', '192.168.1.90');
    await page.click('#inverter-button');
    await page.waitForSelector('#inverter-state.ok');
    assert.equal(gateway.devices.list().length, before + 1);

    await page.click('#scan-button');
    await page.waitForSelector('#wifi-state.ok');
    const options = await page.$$eval('#ssid option', (els) =>
      els.map((el) => (el as HTMLOptionElement).value),
    );
    assert.ok(options.length > 0, 'networks listed');
    await page.fill('#passphrase', 'correct horse battery');
    await page.click('#wifi-button');
    await page.waitForSelector('#wifi-state.ok');
    assert.deepEqual(errors, []);
  });
});
