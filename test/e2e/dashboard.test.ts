/**
 * The dashboard in real headless Chromium against a running demo (real gateway + simulator): it shows
 * a reading, the 10 Hz frequency chart updates, a device is added with the token, and a screenshot is
 * saved under test-output/. Then: why the added (unanswered) device fails, charts filled on load from
 * the API with HH:MM:SS time labels, and the device table readable at phone width.
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startDemo, type Demo } from './dashboard-harness.ts';
import { checkPageAnswers } from './page-answers.ts';
// @ts-expect-error -- generated plain-JS module without a .d.ts
import { PROFILES } from '../../client/installer/profiles.js';

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
  const answers = [checkPageAnswers(page)];
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
  answers.push(checkPageAnswers(phone));
  await phone.goto(`${demo.base}/`);
  await phone.locator(`#devices tr[data-device="${inverter.id}"]`).waitFor();
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `no horizontal scrolling on a phone (${overflow}px)`);
  await phone.screenshot({ path: 'test-output/dashboard-phone.png', fullPage: true });
  assert.deepEqual(errors, []);
  const mismatches = (await Promise.all(answers.map((listed) => listed()))).flat();
  assert.deepEqual(mismatches, [], 'every answer the pages got matches the OpenAPI document');
});

/** Waits until `selector`'s data-points is above `min` (bounded). */
async function pointsAbove(page: Page, selector: string, min: number): Promise<number> {
  await page.waitForFunction(
    ([sel, least]) =>
      Number(document.querySelector(sel as string)?.getAttribute('data-points')) > (least as number),
    [selector, min],
    { timeout: 15_000 },
  );
  return Number(await page.locator(selector).getAttribute('data-points'));
}

it('says why a device fails, fills the charts from the API on load with HH:MM:SS labels, fits a phone', async () => {
  // "added1" (unit 9, which the simulator does not serve) was added by the test above: every read fails.
  assert.ok(demo.gateway.services.devices.get('added1'), 'the device the first test added');
  const errors: string[] = [];
  const page = await browser.newPage({ viewport: { width: 1100, height: 1000 } });
  const answers = [checkPageAnswers(page)];
  page.on('pageerror', (error) => errors.push(error.message));
  // No live events: whatever the charts draw comes from what the page fetched on load.
  await page.route('**/api/events', (route) => route.abort());
  await page.goto(`${demo.base}/`);
  const failing = page.locator('#devices tr[data-device="added1"] td.state');
  await failing.locator('.state-name', { hasText: 'failing' }).waitFor({ timeout: 15_000 });
  const api = (await (await fetch(`${demo.base}/api/devices/added1`)).json()) as {
    status?: { reason?: string };
  };
  assert.match(api.status?.reason ?? '', /\S/, 'the devices API has a reason');
  assert.equal(
    await failing.locator('.reason').innerText(),
    api.status?.reason,
    'the reason from the devices API',
  );
  const inverter = demo.simulator.devices[0]!;
  assert.equal(
    await page.locator(`#devices tr[data-device="${inverter.id}"] td.state .reason`).isVisible(),
    false,
    'no reason for a connected device',
  );

  // The add-device form suggests every profile and shows the chosen one's unit for an empty field.
  assert.equal(await page.locator('#profiles option').count(), PROFILES.length);
  await page.fill('input[name="profile"]', 'sma');
  assert.equal(await page.getAttribute('input[name="unit"]', 'placeholder'), "profile's (3)");

  assert.ok((await pointsAbove(page, '#freq-chart', 5)) > 5, 'recent frequency samples');
  assert.ok((await pointsAbove(page, '#power-chart', 3)) > 3, 'recent power points');
  for (const chart of ['#freq-chart', '#power-chart']) {
    const labels = ((await page.locator(chart).getAttribute('data-x-labels')) ?? '').split(' ');
    assert.ok(labels.length >= 2, `${chart}: ${labels.join(' ')}`);
    for (const label of labels) assert.match(label, /^\d{2}:\d{2}:\d{2}$/, `${chart} time label`);
  }

  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
  answers.push(checkPageAnswers(phone));
  phone.on('pageerror', (error) => errors.push(error.message));
  await phone.goto(`${demo.base}/`);
  await phone.locator('#devices tr[data-device="added1"] td.state .reason').waitFor({ timeout: 15_000 });
  const cells = await phone.$$eval('#devices td', (tds) =>
    tds.map((td) => {
      const box = td.getBoundingClientRect();
      return { text: td.textContent ?? '', left: box.left, right: box.right, width: box.width };
    }),
  );
  assert.ok(cells.length >= 18, `${cells.length} cells`);
  for (const cell of cells) {
    assert.ok(
      cell.left >= 0 && cell.right <= 390 + 0.5,
      `"${cell.text}" inside the screen: ${cell.left}–${cell.right}`,
    );
  }
  const remove = await phone.locator('#devices tr[data-device="added1"] button').boundingBox();
  assert.ok(remove && remove.x >= 0 && remove.x + remove.width <= 390, 'remove button on screen');
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `no horizontal scrolling on a phone (${overflow}px)`);
  await phone.screenshot({ path: 'test-output/dashboard-phone-devices.png', fullPage: true });
  assert.deepEqual(errors, []);
  const mismatches = (await Promise.all(answers.map((listed) => listed()))).flat();
  assert.deepEqual(mismatches, [], 'every answer the pages got matches the OpenAPI document');
});
