import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Fastify from 'fastify';
import { chromium } from 'playwright-core';
import { Gate } from '../../src/gate/gate.js';
import { gateHttpPlugin } from '../../src/protocols/gate-http.js';

const CHROMIUM = '/usr/bin/chromium';
const BITS = 10;

test('in headless Chromium the widget solves with WASM in a worker and the demo content appears', async (t) => {
  if (!existsSync(CHROMIUM)) {
    if (process.env.CI === 'true') assert.fail(`${CHROMIUM} is missing (apt-get install chromium)`);
    t.skip(`${CHROMIUM} is missing (apt-get install chromium)`);
    return;
  }
  const gate = new Gate({ secret: Buffer.from('a test secret of enough length'), purpose: 'web-test', bitsMin: BITS, bitsMax: BITS, challengeTtlS: 60, tokenTtlS: 300 });
  // Closed before the browser (hooks run in order): it must not wait for Chromium's open connections.
  const app = Fastify({ forceCloseConnections: true });
  await app.register(gateHttpPlugin, { prefix: '/gate', gate });
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.after(() => app.close());
  const origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 800, height: 480 } });
  const requested: string[] = [];
  page.on('request', (request) => requested.push(new URL(request.url()).pathname));
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));

  await page.goto(`${origin}/gate/demo`);
  await page.waitForSelector('#content:not([hidden])', { timeout: 20_000 });
  assert.match(await page.textContent('#content') ?? '', /Welcome through the gate/);
  assert.equal(await page.getAttribute('powerplant-gate', 'state'), 'passed');
  const token = await page.evaluate(() => (document.querySelector('powerplant-gate') as HTMLElement & { token: string }).token);
  assert.equal(gate.checkPass(token).token, token);
  const cookies = await page.context().cookies();
  assert.equal(cookies.find((cookie) => cookie.name === 'powerplant_gate')?.value, token);
  assert.ok(requested.some((path) => /^\/gate\/powerplant(-simd)?\.wasm$/.test(path)), `the worker fetched the WASM build (${requested.join(', ')})`);
  assert.deepEqual(errors, []);

  const dir = mkdtempSync(join(tmpdir(), 'gate-widget-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await page.screenshot({ path: join(dir, 'demo.png') });
  assert.ok(existsSync(join(dir, 'demo.png')));
  // Refresh the picture in the docs with GATE_DEMO_SCREENSHOT=docs/gate-demo.png.
  if (process.env.GATE_DEMO_SCREENSHOT) await page.screenshot({ path: process.env.GATE_DEMO_SCREENSHOT });
});
