import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import Fastify from 'fastify';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { Gate } from '../../src/gate/gate.js';
import { gateFormPreHandler } from '../../src/gate/middleware.js';
import { MemorySpentStore } from '../../src/gate/spent.js';
import { gateHttpPlugin } from '../../src/protocols/gate-http.js';
import { gateInFront } from '../helpers/gate-proxy.js';

const CHROMIUM = '/usr/bin/chromium';
const HASHCASH = '/usr/bin/hashcash';
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** Missing system binaries fail the test under CI and skip it elsewhere. */
function need(t: TestContext, binary: string, install: string): boolean {
  if (existsSync(binary)) return true;
  if (process.env.CI === 'true') assert.fail(`${binary} is missing (apt-get install ${install})`);
  t.skip(`${binary} is missing (apt-get install ${install})`);
  return false;
}

/** Chromium with a fresh profile (playwright makes one per launch). */
async function launch(t: TestContext): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  t.after(() => browser.close());
  return browser;
}

async function newPage(browser: Browser, options: BrowserContextOptions = {}): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 900, height: 560 }, ...options });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return { page, errors };
}

/** axe-core's serious and critical violations on the page as it is now. */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: Array<{ id: string; impact: string | null; help: string }> }> } }).axe;
    return (await axe.run()).violations;
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`);
}

test('a browser behind the gate: challenge, the widget solves, the original page, then straight through; WebSocket echoes', async (t) => {
  if (!need(t, CHROMIUM, 'chromium')) return;
  const { proxy, upstream } = await gateInFront(t);
  const browser = await launch(t);
  const { page, errors } = await newPage(browser, { locale: 'en-US' });
  const documents: Array<[string, number]> = [];
  page.on('response', (response) => {
    if (response.request().resourceType() === 'document') documents.push([new URL(response.url()).pathname, response.status()]);
  });

  await page.goto(`${proxy}/articles/42?tab=comments&sort=new`);
  await page.waitForSelector('#upstream', { timeout: 20_000 });
  assert.equal(await page.textContent('#path'), '/articles/42');
  assert.equal(await page.textContent('#query'), '?tab=comments&sort=new');
  assert.deepEqual(documents, [
    ['/articles/42', 401],
    ['/articles/42', 200],
  ]);
  const cookie = (await page.context().cookies()).find((c) => c.name === 'powerplant_gate');
  assert.ok(cookie?.httpOnly && cookie.sameSite === 'Lax');

  const second = await page.goto(`${proxy}/articles/43`);
  assert.equal(second?.status(), 200, 'a second visit goes straight through');
  assert.match(await page.textContent('h1') ?? '', /The upstream site/);

  const echo = await page.evaluate(
    () =>
      new Promise<string>((resolve, reject) => {
        const socket = new WebSocket(`ws://${location.host}/chat`);
        socket.onopen = () => socket.send('through the gate');
        socket.onmessage = (event) => resolve(String(event.data));
        socket.onerror = () => reject(new Error('WebSocket failed'));
      }),
  );
  assert.equal(echo, 'echo: through the gate');
  assert.ok(upstream.seen.every((request) => !(request.headers.cookie ?? '').includes('powerplant_gate')), 'the pass cookie never reaches the upstream');
  assert.deepEqual(errors, []);
});

test('the challenge page is accessible, speaks German to a German browser and Arabic right to left', async (t) => {
  if (!need(t, CHROMIUM, 'chromium')) return;
  const { proxy } = await gateInFront(t);
  const browser = await launch(t);

  const { page } = await newPage(browser, { locale: 'de-DE' });
  // Held answers keep the widget in view: the stamp check never returns.
  await page.route('**/gate/verify', () => {});
  await page.goto(`${proxy}/konto`);
  await page.waitForSelector('powerplant-gate[state=working]');
  assert.equal(await page.getAttribute('html', 'lang'), 'de');
  assert.equal(await page.textContent('h1'), 'Einen Moment bitte');
  await page.waitForFunction(() => /Antwort wird geprüft/.test(document.querySelector('powerplant-gate')?.shadowRoot?.querySelector('[role=status]')?.textContent ?? ''));
  const widget = await page.evaluate(() => {
    const root = document.querySelector('powerplant-gate')!.shadowRoot!;
    return { label: root.querySelector('#label')!.textContent, live: root.querySelector('[role=status]')!.getAttribute('aria-live') };
  });
  assert.deepEqual(widget, { label: 'Arbeitsnachweis', live: 'polite' });
  assert.deepEqual(await seriousViolations(page), []);

  // Refresh the picture in the docs with GATE_PAGE_SCREENSHOT=docs/gate-challenge.png.
  if (process.env.GATE_PAGE_SCREENSHOT) {
    const english = await newPage(browser, { locale: 'en-US' });
    await english.page.route('**/gate/verify', () => {});
    await english.page.goto(`${proxy}/account`);
    await english.page.waitForFunction(() => /Checking/.test(document.querySelector('powerplant-gate')?.shadowRoot?.querySelector('[role=status]')?.textContent ?? ''));
    await english.page.screenshot({ path: process.env.GATE_PAGE_SCREENSHOT });
  }

  const arabic = await newPage(browser, { locale: 'ar-EG' });
  await arabic.page.route('**/gate/verify', () => {});
  await arabic.page.goto(`${proxy}/`);
  assert.equal(await arabic.page.getAttribute('html', 'dir'), 'rtl');
  await arabic.page.waitForSelector('powerplant-gate[state=working]');
  assert.equal(await arabic.page.evaluate(() => document.querySelector('powerplant-gate')!.shadowRoot!.querySelector('.box')!.getAttribute('dir')), 'rtl');
  assert.deepEqual(await seriousViolations(arabic.page), []);
});

test('without JavaScript: the page gives the hashcash command, and the stamp from Debian hashcash opens the site', async (t) => {
  if (!need(t, CHROMIUM, 'chromium') || !need(t, HASHCASH, 'hashcash')) return;
  const { proxy } = await gateInFront(t);
  const browser = await launch(t);
  const { page } = await newPage(browser, { javaScriptEnabled: false, locale: 'en-US' });
  await page.goto(`${proxy}/docs/intro?lang=en`);
  const command = (await page.textContent('pre code'))?.trim() ?? '';
  const [tool, option, challenge] = command.split(' ');
  assert.equal(tool, 'hashcash');
  assert.match(option ?? '', /^-mb\d+$/);
  const { stdout } = await promisify(execFile)(HASHCASH, [option!, challenge!]);
  await page.fill('#stamp', stdout.trim());
  await page.click('button[type=submit]');
  await page.waitForSelector('#upstream');
  assert.equal(new URL(page.url()).pathname + new URL(page.url()).search, '/docs/intro?lang=en');
  assert.equal(await page.textContent('#query'), '?lang=en');

  // The same stamp again, from a visitor without the pass: refused, with the reason on the page.
  await page.context().clearCookies();
  await page.goto(`${proxy}/gate/solve?return=/docs`);
  await page.fill('#stamp', stdout.trim());
  await page.click('button[type=submit]');
  assert.match(await page.textContent('.refused') ?? '', /challenge already used/);
  assert.ok((await page.textContent('pre code'))?.includes('hashcash -mb'), 'with a fresh challenge to solve');
});

test('inside a form, the widget holds the submission until it passes and sends the pass; the server takes each pass once', async (t) => {
  if (!need(t, CHROMIUM, 'chromium')) return;
  const gate = new Gate({ secret: Buffer.from('a test secret of enough length'), purpose: 'form-test', bitsMin: 10, bitsMax: 10, challengeTtlS: 60, tokenTtlS: 300 });
  // Closed before the browser (hooks run in order): it must not wait for Chromium's open connections.
  const app = Fastify({ forceCloseConnections: true });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))));
  await app.register(gateHttpPlugin, { prefix: '/gate', gate });
  app.get('/', async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(`<!doctype html><html lang="en"><head><title>Comment</title><script type="module" src="/gate/widget.js"></script></head>
<body><main><form method="post" action="/comment"><label for="text">Comment</label> <input id="text" name="text">
<powerplant-gate manual></powerplant-gate><button id="send" type="submit">Send</button></form></main></body></html>`),
  );
  const spent = new MemorySpentStore();
  app.post('/comment', { preHandler: gateFormPreHandler(gate, { spent }) }, async (request) => `thanks for "${(request.body as { text: string }).text}"`);
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.after(() => app.close());
  const origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  const browser = await launch(t);
  const { page, errors } = await newPage(browser);
  let sent = '';
  page.on('request', (request) => {
    if (request.url().endsWith('/comment')) sent = request.postData() ?? '';
  });
  await page.goto(origin);
  await page.fill('#text', 'first!');
  await page.keyboard.press('Enter');
  // Keyboard only: the manual widget's Start button is reachable with Tab.
  await page.focus('#text');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.textContent ?? document.activeElement?.textContent), 'Start');
  await page.keyboard.press('Enter');
  await page.waitForURL(`${origin}/comment`, { timeout: 20_000 });
  assert.equal(await page.textContent('body'), 'thanks for "first!"');
  assert.deepEqual(errors, []);

  assert.match(new URLSearchParams(sent).get('powerplant-gate-token') ?? '', /^t2[0-9a-f]{90}$/);
  const post = (body: string) => fetch(`${origin}/comment`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  const replay = await post(sent);
  assert.deepEqual([replay.status, await replay.json()], [409, { error: 'this pass was already used to send a form' }]);
  const bare = await post('text=no+pass');
  assert.equal(bare.status, 401);
  assert.match(((await bare.json()) as { error: string }).error, /form field powerplant-gate-token is missing/);
});
