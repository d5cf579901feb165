/**
 * The dashboard in real headless Chromium against a running demo (real gateway + simulator): it shows
 * a reading, the 10 Hz frequency chart updates, a device is added with the token, and a screenshot is
 * saved under test-output/.
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { chromium, type Browser } from 'playwright-core';
import { startDemo, type Demo } from './dashboard-harness.ts';

let demo: Demo;
let browser: Browser;
before(async () => {
  demo = await startDemo();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu'],
  });
});
after(async () => {
  await browser?.close();
  await demo?.stop();
});

it('shows readings and a live frequency chart, adds a device with the token', async () => {
  const page = await browser.newPage({ viewport: { width: 1100, height: 1000 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${demo.base}/`);

  const inverter = demo.simulator.devices[0]!;
  // A reading: the inverter's row shows a power figure in W.
  const powerCell = page.locator(`#devices tr[data-device="${inverter.id}"] td.power`);
  await powerCell.filter({ hasText: / W$/ }).waitFor({ timeout: 20_000 });
  assert.match(await page.locator('#gw-serial').innerText(), /\S/);

  // The frequency chart keeps redrawing with new samples.
  const chart = page.locator('#freq-chart');
  await page.waitForFunction(
    () => Number(document.querySelector('#freq-chart')?.getAttribute('data-points')) > 5,
    undefined,
    {
      timeout: 20_000,
    },
  );
  const updates = Number(await chart.getAttribute('data-updates'));
  await page.waitForFunction(
    (before) => Number(document.querySelector('#freq-chart')?.getAttribute('data-updates')) > before + 3,
    updates,
    { timeout: 10_000 },
  );
  assert.ok(await chart.locator('canvas').count(), 'uPlot drew a canvas');

  // The gateway's state, kept current by the live events.
  const state = page.locator('#gw-state');
  await page.locator('#gw-state[data-state="running"]').waitFor({ timeout: 20_000 });
  demo.gateway.notifications.raise({ code: 'storage_error', message: 'disk refused a write' });
  await page.locator('#gw-state[data-state="degraded"]').waitFor({ timeout: 10_000 });
  await page.locator('#gw-reasons li.error', { hasText: 'storage_error: disk refused a write' }).waitFor();
  demo.gateway.notifications.clear({ code: 'storage_error' });
  await page.locator('#gw-state[data-state="running"]').waitFor({ timeout: 10_000 });
  assert.equal(await state.innerText(), 'running');

  // Add a device: the first submit asks for the token, the second carries it.
  await page.fill('input[name="id"]', 'added1');
  await page.fill('input[name="host"]', inverter.host);
  await page.fill('input[name="port"]', String(inverter.port));
  await page.fill('input[name="unit"]', '9'); // another unit on the same bus: a new device
  await page.fill('input[name="profile"]', 'sunspec');
  await page.click('#add-device button[type="submit"]');
  await page.locator('#token-field').waitFor({ state: 'visible' });
  await page.fill('input[name="token"]', 'wrong-token');
  await page.click('#add-device button[type="submit"]');
  await page.locator('#form-message', { hasText: /token/ }).waitFor();
  await page.fill('input[name="token"]', demo.token);
  await page.click('#add-device button[type="submit"]');
  await page
    .locator('#form-message', { hasText: 'added added1' })
    .waitFor({ timeout: 10_000 })
    .catch(async (error: Error) => {
      throw new Error(`${error.message}; form says "${await page.locator('#form-message').innerText()}"`);
    });
  await page.locator('#devices tr[data-device="added1"]').waitFor();
  assert.ok(demo.gateway.services.devices.get('added1'), 'the gateway has the new device');
  assert.equal(await page.evaluate(() => window.sessionStorage.getItem('egw-token')), demo.token);

  await mkdir('test-output', { recursive: true });
  await page.screenshot({ path: 'test-output/dashboard.png', fullPage: true });
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
  await phone.goto(`${demo.base}/`);
  await phone.locator(`#devices tr[data-device="${inverter.id}"]`).waitFor();
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `no horizontal scrolling on a phone (${overflow}px)`);
  await phone.screenshot({ path: 'test-output/dashboard-phone.png', fullPage: true });
  assert.deepEqual(errors, []);
});
