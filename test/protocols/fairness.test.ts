import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestServer, httpUrl, until } from '../helpers/server.js';

const hash = (fill: number): string => fill.toString(16).toUpperCase().repeat(64);
const pow = (url: string, body: object, signal?: AbortSignal) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal });

test('a cheap /pow is answered while hard jobs from other clients hold every slot they may take', async () => {
  const server = await startTestServer('[broker]\nmax_active_jobs = 4\n[nano]\nmax_multiplier = 64\n[server]\nshutdown_timeout_ms = 0\n');
  const url = httpUrl(server, '/pow');
  const hardOnes = new AbortController();
  try {
    // Four clients at the highest multiplier allowed: each search takes minutes.
    const hard = [1, 2, 3, 4].map((fill) => pow(url, { hash: hash(fill), multiplier: '64' }, hardOnes.signal).catch(() => undefined));
    await until(() => server.broker.stats().active + server.broker.stats().queued === 4, 5000, 'the hard jobs');
    const started = performance.now();
    const cheap = await pow(url, { hash: hash(5), difficulty: 'ff00000000000000' }, AbortSignal.timeout(5000));
    assert.equal(cheap.status, 200);
    assert.ok(performance.now() - started < 5000);
    hardOnes.abort();
    await Promise.all(hard);
  } finally {
    hardOnes.abort();
    await server.close();
  }
});
