import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildInstaller } from '../../scripts/build-installer.ts';
// @ts-expect-error -- generated plain-JS module without a .d.ts
import { PROFILES } from '../../client/installer/profiles.js';
import { createMetrics } from '../../server/src/observability/metrics.ts';
import { startApiServer, type ApiServer } from '../../server/src/api/create-api.ts';
import { SystemClock } from '../../server/src/core/clock.ts';
import { silentLogger } from '../../server/src/core/logger.ts';
import { startBleService, type BleService } from '../../bluetooth/src/ble-service.ts';
import { createFakeGateway, type FakeGateway } from '../fakes/gateway-services.ts';

const CLIENT_DIR = resolve('client');
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
const SHOTS = resolve('test-output');
const PHONE = { width: 390, height: 844 };

/** Serves a folder as static files (ES modules need an http origin). */
function staticServer(root = CLIENT_DIR): Promise<Server> {
  const server = createServer((req, res) => {
    const path = normalize(join(root, new URL(req.url ?? '/', 'http://x').pathname));
    if (!path.startsWith(root)) return void res.writeHead(403).end();
    readFile(path)
      .then((data) => res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'text/plain' }).end(data))
      .catch(() => res.writeHead(404).end());
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(server)));
}

/** Pixels the page is wider than its viewport (0: no sideways scrolling). */
async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

describe('installer page over the WebSocket transport in Chromium', () => {
  let dir = '';
  let gateway: FakeGateway;
  let api: ApiServer;
  let ble: BleService;
  let web: Server;
  let browser: Browser;
  let hosted: Server;
  // The hosted build goes to the test's temp dir, never into the checkout (lint runs beside the tests).
  let hostedDir = '';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'egw-installer-'));
    hostedDir = join(dir, 'hosted-installer');
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
      // gateway.test is how a phone reaches a box: a plain-HTTP origin that is not loopback, so not a
      // secure context (127.0.0.1 and localhost count as secure).
      args: [
        '--no-sandbox',
        '--disable-background-networking',
        '--host-resolver-rules=MAP gateway.test 127.0.0.1',
      ],
    });
    await mkdir(SHOTS, { recursive: true });
    buildInstaller(hostedDir, 'https://installer.example.org/egw/');
    hosted = await staticServer(hostedDir);
  });

  after(async () => {
    await browser?.close();
    await new Promise<void>((done) => (web ? web.close(() => done()) : done()));
    await new Promise<void>((done) => (hosted ? hosted.close(() => done()) : done()));
    await ble?.stop();
    await api?.close();
    gateway?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('connects, unlocks with the PIN, shows the identity, adds an inverter and joins Wi-Fi', async () => {
    const page = await browser.newPage({ viewport: PHONE });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const webPort = (web.address() as AddressInfo).port;
    await page.goto(`http://127.0.0.1:${webPort}/installer/index.html?ws=ws://127.0.0.1:${ble.wsPort}`);
    await page.click('#connect-button');
    await page.waitForSelector('#connect-state.ok');
    await page.waitForFunction(() => document.getElementById('identity')?.textContent?.includes('Serial'));
    assert.match((await page.textContent('#identity')) ?? '', new RegExp(gateway.services.identity.serial));

    await page.fill('#pin', '000000');
    await page.click('#pin-button');
    await page.waitForSelector('#pin-state.error');
    await page.fill('#pin', '135790');
    await page.click('#pin-button');
    await page.waitForSelector('#pin-state.ok');

    const before = gateway.devices.list().length;
    await page.selectOption('#inv-type', 'sma');
    assert.equal(await page.getAttribute('#inv-unit', 'placeholder'), '3', "the profile's unit shows");
    await page.fill('#inv-ip', '192.168.1.90');
    await page.click('#inverter-button');
    await page.waitForSelector('#inverter-state.ok');
    assert.equal(gateway.devices.list().length, before + 1);
    const added = gateway.devices.list().at(-1)!.config;
    assert.deepEqual(
      added.type === 'tcp' ? { profile: added.profile, unit: added.unit, port: added.port } : added,
      { profile: 'sma', unit: 3, port: 502 },
      "SMA kept as sent, read at the profile's unit and port when the fields are left empty",
    );

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
    assert.equal(await horizontalOverflow(page), 0, 'no sideways scrolling at phone width');
    await page.screenshot({ path: join(SHOTS, 'installer-flow-390x844.png'), fullPage: true });
  });

  it('says why Bluetooth is unavailable on the plain-HTTP page a box serves and offers HTTP instead', async () => {
    const page = await browser.newPage({ viewport: PHONE });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const webPort = (web.address() as AddressInfo).port;
    const origin = `http://gateway.test:${webPort}`;
    await page.goto(`${origin}/installer/index.html?hosted=https://installer.example.org/egw/`);
    assert.equal(await page.evaluate(() => window.isSecureContext), false);
    assert.ok(await page.isVisible('#ble-notice'));
    assert.match((await page.textContent('#ble-notice-why')) ?? '', /plain HTTP.*https:\/\//);
    assert.equal(await page.getAttribute('#hosted-link', 'href'), 'https://installer.example.org/egw/');
    assert.equal(await page.inputValue('#transport'), 'http');
    assert.equal(await page.isDisabled('#transport option[value="ble"]'), true);
    assert.equal(await page.inputValue('#http-url'), origin, 'the gateway that served the page');
    assert.equal(await page.isVisible('#ws-url-row'), false, 'other transports hide their fields');
    assert.equal(await page.isVisible('#token-row'), true);
    const offered = await page.$$eval('#inv-type option', (els) =>
      els.map((el) => (el as HTMLOptionElement).value),
    );
    assert.deepEqual([...offered].sort(), PROFILES.map((p: { id: string }) => p.id).sort(), 'every profile');
    assert.equal(await horizontalOverflow(page), 0);
    assert.deepEqual(errors, []);
    await page.screenshot({ path: join(SHOTS, 'installer-insecure-390x844.png'), fullPage: true });
  });

  it('works as the gateway serves it at /installer/ (its stylesheet and profile list included)', async () => {
    const page = await browser.newPage({ viewport: PHONE });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const missing: string[] = [];
    page.on('response', (response) => {
      if (response.status() >= 400) missing.push(`${response.status()} ${response.url()}`);
    });
    await page.goto(`http://127.0.0.1:${api.port}/installer/`);
    await page.waitForFunction(() => document.querySelectorAll('#inv-type option').length > 1, undefined, {
      timeout: 10_000,
    });
    assert.equal(await page.locator('#inv-type option').count(), PROFILES.length, 'every profile offered');
    // The inverter step stays disabled until connected: choose the profile the way the page reacts to.
    await page.$eval('#inv-type', (select) => {
      (select as HTMLSelectElement).value = 'goodwe';
      select.dispatchEvent(new Event('change'));
    });
    assert.equal(await page.getAttribute('#inv-unit', 'placeholder'), '247', "GoodWe's unit shows");
    assert.deepEqual(missing, []);
    assert.deepEqual(errors, []);
  });

  it('offers Bluetooth first on the hosted (https) build in a browser with Web Bluetooth', async () => {
    const page = await browser.newPage({ viewport: PHONE });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    // A phone's Chrome has navigator.bluetooth; desktop headless Chromium on Linux may not: stand in.
    await page.addInitScript(() => {
      if (!('bluetooth' in navigator)) Object.defineProperty(navigator, 'bluetooth', { value: {} });
    });
    // Loopback is a secure context, as the https:// origin the build is made for.
    await page.goto(`http://127.0.0.1:${(hosted.address() as AddressInfo).port}/index.html`);
    assert.equal(await page.evaluate(() => window.isSecureContext), true);
    assert.equal(await page.isVisible('#ble-notice'), false);
    assert.equal(await page.inputValue('#transport'), 'ble');
    assert.equal(await page.isVisible('#http-url-row'), false);
    assert.equal(await page.isVisible('#ws-url-row'), false);
    assert.equal(await horizontalOverflow(page), 0);
    assert.deepEqual(errors, []);
    await page.screenshot({ path: join(SHOTS, 'installer-hosted-390x844.png'), fullPage: true });
  });
});
