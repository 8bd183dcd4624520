import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import { PacedEngine } from '../helpers/paced-engine.js';
import { startMiningServer } from '../helpers/server.js';

const CHROMIUM = '/usr/bin/chromium';


test('in headless Chromium the dashboard draws live figures while an agent mines through Stratum and Nano jobs run', async (t) => {
  if (!existsSync(CHROMIUM)) {
    if (process.env.CI === 'true') assert.fail(`${CHROMIUM} is missing (apt-get install chromium)`);
    t.skip(`${CHROMIUM} is missing (apt-get install chromium)`);
    return;
  }
  const server = await startMiningServer(t, new PacedEngine(256, 5), 'rig-1');
  const origin = `http://127.0.0.1:${server.addresses.http.port}`;

  const profile = mkdtempSync(join(tmpdir(), 'dashboard-chromium-'));
  // A fresh profile each run (launchPersistentContext passes it as --user-data-dir).
  const launching = chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 1280, height: 1400 },
  });
  // Chromium writes into its profile until it has closed: the profile goes only after it (one hook, whatever order hooks run in).
  t.after(async () => {
    await (await launching.catch(() => undefined))?.close();
    rmSync(profile, { recursive: true, force: true });
  });
  const browser = await launching;
  const page = browser.pages()[0] ?? (await browser.newPage());
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${origin}/`);
  await page.waitForSelector('#status:text("Live")', { timeout: 10_000 });
  const doneBefore = Number((await page.textContent('#jobs div:nth-child(4) dd'))?.replaceAll(',', ''));

  // Nano jobs through the HTTP door while the page watches.
  for (const fill of ['21', '22']) {
    const answer = await fetch(`${origin}/pow`, { method: 'POST', body: JSON.stringify({ hash: fill.repeat(32), difficulty: 'ffc0000000000000' }) });
    assert.equal(answer.status, 200);
  }
  await page.waitForFunction((before) => Number(document.querySelector('#jobs div:nth-child(4) dd')?.textContent?.replaceAll(',', '')) >= before + 2, doneBefore, { timeout: 15_000 });
  await page.waitForFunction(() => {
    const row = [...document.querySelectorAll('#workers tbody tr')].find((tr) => tr.querySelector('th')?.textContent === 'rig-1');
    return row !== undefined && !/^0 H\/s$|^—$/.test(row.querySelector('td')?.textContent ?? '');
  }, undefined, { timeout: 15_000 });
  const nanoRow = await page.textContent('#schemes tbody tr:has(th:text("nano"))');
  assert.match(nanoRow ?? '', /nano\s*2/, 'two nano jobs solved');

  // The chart: uPlot drew a canvas with a series per source, and painted something on it.
  await page.waitForSelector('#chart canvas');
  const legend = await page.$$eval('#chart .u-legend .u-series th', (cells) => cells.map((cell) => cell.textContent));
  assert.ok(legend.some((label) => label?.includes('Stratum agents')), `legend: ${legend.join(', ')}`);
  assert.ok(legend.some((label) => label?.includes('local engine')), `legend: ${legend.join(', ')}`);
  const painted = await page.$eval('#chart canvas', (canvas) => {
    const { data } = (canvas as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, (canvas as HTMLCanvasElement).width, (canvas as HTMLCanvasElement).height);
    let opaque = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) opaque += 1;
    return opaque;
  });
  assert.ok(painted > 500, `the chart has drawn pixels (${painted})`);
  const stratumRate = await page.textContent('#rates tbody tr:has(th:text("Stratum agents")) td');
  assert.doesNotMatch(stratumRate ?? '', /^0 H\/s$/);

  // Keyboard: the first Tab reaches the skip link; the pause button is a toggle a screen reader can read.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to the figures');
  await page.click('#pause');
  assert.equal(await page.getAttribute('#pause', 'aria-pressed'), 'true');
  await page.click('#pause');

  const dir = mkdtempSync(join(tmpdir(), 'dashboard-shot-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await page.screenshot({ path: join(dir, 'dashboard.png'), fullPage: true });
  assert.ok(existsSync(join(dir, 'dashboard.png')));
  // Refresh the picture in the docs with DASHBOARD_SCREENSHOT=docs/dashboard.png.
  if (process.env.DASHBOARD_SCREENSHOT) await page.screenshot({ path: process.env.DASHBOARD_SCREENSHOT, fullPage: true });

  // A phone: 360 px wide, nothing wider than the screen but the tables' own scroll boxes.
  await page.setViewportSize({ width: 360, height: 800 });
  await page.waitForTimeout(300);
  assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 360, 'no sideways scrolling at 360 px');
  assert.deepEqual(errors, []);
});
