import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { setImmediate as nextTurn, setTimeout as delay } from 'node:timers/promises';
import { WebSocket } from 'ws';
import { bucketQuantile, SAMPLE_INTERVAL_MS, type Snapshot } from '../src/dashboard/snapshot.js';
import type { OpenclDevice } from '../src/engine/gpu.js';
import type { Gauge } from 'prom-client';
import { metricValue } from './broker/helpers.js';
import { PacedEngine } from './helpers/paced-engine.js';
import { httpUrl, startMiningServer, startTestServer, wsUrl } from './helpers/server.js';

const TOKEN = 'a dashboard token';
const HTML = { accept: 'text/html,application/xhtml+xml' };

describe('the dashboard routes', () => {
  it('asks for dashboard.token: ?token= once sets a cookie, or Authorization: Bearer; the rest of the port is untouched', async () => {
    const server = await startTestServer(`[dashboard]\ntoken = "${TOKEN}"\n`);
    try {
      assert.equal((await fetch(httpUrl(server, '/'), { headers: HTML })).status, 401);
      assert.equal((await fetch(httpUrl(server, '/dashboard/events'))).status, 401);
      assert.equal((await fetch(httpUrl(server, '/dashboard/snapshot'), { headers: { authorization: 'Bearer wrong' } })).status, 401);
      assert.equal((await fetch(httpUrl(server, `/?token=wrong`), { headers: HTML, redirect: 'manual' })).status, 401);

      const opened = await fetch(httpUrl(server, `/?token=${encodeURIComponent(TOKEN)}`), { headers: HTML, redirect: 'manual' });
      assert.equal(opened.status, 303);
      assert.equal(opened.headers.get('location'), '/');
      const cookie = (opened.headers.get('set-cookie') ?? '').split(';')[0]!;
      assert.match(opened.headers.get('set-cookie') ?? '', /HttpOnly; SameSite=Strict/);
      const page = await fetch(httpUrl(server, '/'), { headers: { ...HTML, cookie } });
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<title>Powerplant<\/title>/);

      const bearer = await fetch(httpUrl(server, '/dashboard/snapshot'), { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(bearer.status, 200);
      assert.equal(((await bearer.json()) as { engine: { backend: string } }).engine.backend, 'js');
      // Content negotiation: a client that does not ask for HTML gets the snapshot at / too.
      const json = await fetch(httpUrl(server, '/'), { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.match(json.headers.get('content-type') ?? '', /^application\/json/);

      assert.equal((await fetch(httpUrl(server, '/dashboard/uplot.js'))).status, 200, 'the page code is public');
      assert.equal((await fetch(httpUrl(server, '/healthz'))).status, 200, '/healthz stays the probe, without a token');
      const ws = new WebSocket(wsUrl(server));
      const answer = new Promise<Record<string, unknown>>((resolve) => ws.once('message', (data) => resolve(JSON.parse(String(data)) as Record<string, unknown>)));
      await new Promise((resolve) => ws.once('open', resolve));
      ws.send(JSON.stringify({ id: 1, event: { created_at: 1, kind: 1, tags: [], content: 'door', pubkey: 'aa'.repeat(32) }, target_pow: 4 }));
      assert.equal((await answer).id, 1, 'a WebSocket upgrade at / still reaches the Nostr door');
      ws.close();
    } finally {
      await server.close();
    }
  });

  it('is not there with dashboard.enabled = false', async () => {
    const server = await startTestServer('[dashboard]\nenabled = false\n');
    try {
      assert.equal((await fetch(httpUrl(server, '/'), { headers: HTML })).status, 404);
      assert.equal((await fetch(httpUrl(server, '/dashboard/snapshot'))).status, 404);
    } finally {
      await server.close();
    }
  });

  it('refuses event streams past dashboard.max_viewers', async () => {
    const server = await startTestServer('[dashboard]\nmax_viewers = 1\n');
    const first = new AbortController();
    try {
      const open = await fetch(httpUrl(server, '/dashboard/events'), { signal: first.signal });
      assert.equal(open.status, 200);
      assert.match(open.headers.get('content-type') ?? '', /^text\/event-stream/);
      const reader = open.body!.getReader();
      let text = '';
      while (!text.includes('\n\ndata: ')) text += new TextDecoder().decode((await reader.read()).value);
      assert.ok((JSON.parse(text.split('data: ')[1]!.split('\n')[0]!) as { history: { t: number[] } }).history.t.length >= 1);
      const second = await fetch(httpUrl(server, '/dashboard/events'));
      assert.equal(second.status, 503);
    } finally {
      first.abort();
      await server.close();
    }
  });

  it('lets no more than dashboard.max_viewers streams in when they ask at the same moment', async () => {
    const server = await startTestServer('[dashboard]\nmax_viewers = 1\n');
    const streams = new AbortController();
    try {
      const answers = await Promise.all([0, 1, 2].map(() => fetch(httpUrl(server, '/dashboard/events'), { signal: streams.signal })));
      assert.deepEqual(answers.map((answer) => answer.status).sort(), [200, 503, 503]);
    } finally {
      streams.abort();
      await server.close();
    }
  });

  it('keeps nothing of an event stream whose viewer leaves while its first snapshot is read', async (t) => {
    const server = await startTestServer('[dashboard]\nmax_viewers = 1\n');
    const viewers = () => metricValue(server.metrics.registry.getSingleMetric('powerplant_dashboard_viewers') as Gauge);
    const { jobs } = server.metrics;
    const read = jobs.get.bind(jobs);
    let asked!: () => void;
    const snapshotAsked = new Promise<void>((resolve) => (asked = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    // The first snapshot waits on the jobs counter until the viewer is gone.
    t.mock.method(jobs, 'get', async () => {
      asked();
      await released;
      return read();
    });
    const leaver = connect(server.addresses.http.port, '127.0.0.1');
    try {
      leaver.on('error', () => {});
      await once(leaver, 'connect');
      leaver.write('GET /dashboard/events HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n');
      await snapshotAsked;
      leaver.destroy();
      await once(leaver, 'close');
      await delay(100); // the server reads the close before the snapshot is let go
      release();
      t.mock.restoreAll();
      await delay(50); // the rest of the snapshot, and whatever the route does after it
      const stop = new AbortController();
      const next = await fetch(httpUrl(server, '/dashboard/events'), { signal: stop.signal });
      assert.equal(next.status, 200, 'the place was freed');
      assert.equal(await viewers(), 1, 'the new stream alone is subscribed');
      stop.abort();
      for (let i = 0; i < 200 && (await viewers()) !== 0; i++) await delay(5);
      assert.equal(await viewers(), 0, 'no stream left subscribed');
    } finally {
      release();
      leaver.destroy();
      await server.close();
    }
  });

  it('drops an event stream whose viewer does not read, past server.max_buffered_bytes, and frees its place', async (t) => {
    const server = await startTestServer(`[server]\nmax_buffered_bytes = 1024\n[dashboard]\ntoken = "${TOKEN}"\nmax_viewers = 1\n`);
    const authorization = `Bearer ${TOKEN}`;
    const streamStatus = async (): Promise<number> => {
      const stop = new AbortController();
      const status = (await fetch(httpUrl(server, '/dashboard/events'), { headers: { authorization }, signal: stop.signal })).status;
      stop.abort();
      return status;
    };
    const sleeper = connect(server.addresses.http.port, '127.0.0.1');
    try {
      // The stream's ticker is made now: mocked, the test sends its once-a-second events at once.
      t.mock.timers.enable({ apis: ['setInterval'] });
      sleeper.on('error', () => {});
      await once(sleeper, 'connect');
      sleeper.write(`GET /dashboard/events HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: ${authorization}\r\n\r\n`);
      sleeper.pause();
      for (let i = 0; i < 100 && (await streamStatus()) !== 503; i++) await delay(5);
      assert.equal(await streamStatus(), 503, 'the sleeper holds the only place');
      // Events of a few hundred bytes: the kernel's socket buffers (a few MB on loopback) fill first.
      let status = 503;
      for (let round = 0; round < 100 && status === 503; round++) {
        for (let i = 0; i < 200; i++) {
          t.mock.timers.tick(SAMPLE_INTERVAL_MS);
          await nextTurn();
        }
        status = await streamStatus();
      }
      assert.equal(status, 200, 'the sleeper was dropped and its place freed');
      // What the kernel already took still arrives, then the end the server wrote.
      sleeper.resume();
      await once(sleeper, 'close');
      assert.equal(await metricValue(server.metrics.limitsHit, { door: 'dashboard', limit: 'write_buffer' }), 1);
    } finally {
      sleeper.destroy();
      await server.close();
    }
  });
});

/** A paced engine with one OpenCL device beside its thread, whose lane reports its own rate. */
class EngineWithDevice extends PacedEngine {
  readonly devices: readonly OpenclDevice[] = [{ index: 0, name: 'Test GPU', platform: 'Test', type: 'gpu', computeUnits: 8, clockMhz: 1000 }];

  override stats() {
    const stats = super.stats();
    return { ...stats, lanes: [...stats.lanes, { lane: 'opencl:0', threads: 1, totalAttempts: 12_345, rate: 4321 }] };
  }
}

describe('the snapshot', () => {
  it("holds the engine's GPU lanes, each Stratum worker's stale shares, best share and last share, and over-budget refusals among the failed", async (t) => {
    const server = await startMiningServer(t, new EngineWithDevice(256, 5), 'rig-2', '[broker]\nmax_attempts_per_address = 1000\n');
    // 2^16 expected attempts: past this address's bound of 1000.
    const refused = await fetch(httpUrl(server, '/pow'), { method: 'POST', body: JSON.stringify({ hash: '31'.repeat(32), difficulty: 'ffff000000000000' }) });
    assert.equal(refused.status, 429);

    const snapshot = async (): Promise<Snapshot> => (await (await fetch(httpUrl(server, '/dashboard/snapshot'))).json()) as Snapshot;
    let latest = await snapshot();
    for (let i = 0; i < 300 && (latest.stratum?.workers[0]?.accepted ?? 0) === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      latest = await snapshot();
    }
    const worker = latest.stratum?.workers.find((each) => each.name === 'rig-2');
    assert.ok(worker !== undefined && worker.accepted > 0, 'the worker has an accepted share');
    assert.ok(worker.bestShare > 0, `best share ${worker.bestShare}`);
    assert.equal(typeof worker.lastSeen, 'number');
    // Blocks come fast at this target: shares of a job the new tip replaced are stale, and rejected.
    assert.ok(Number.isInteger(worker.stale) && worker.stale <= worker.rejected, `stale ${worker.stale}, rejected ${worker.rejected}`);
    assert.deepEqual(
      latest.engine.devices.map(({ name, lane, rate }) => ({ name, lane, rate })),
      [{ name: 'Test GPU', lane: 'opencl:0', rate: 4321 }],
    );
    assert.equal(latest.jobs.schemes.find((each) => each.scheme === 'nano')?.failed, 1, 'the over-budget refusal is a failed job');
  });
});

describe('time-to-solution percentiles', () => {
  it('interpolate within the bucket as Prometheus does', () => {
    const buckets: [number, number][] = [
      [0.1, 0],
      [1, 10],
      [10, 20],
      [Infinity, 20],
    ];
    assert.equal(bucketQuantile(0.5, buckets), 1);
    assert.equal(bucketQuantile(0.25, buckets), 0.55);
    assert.equal(bucketQuantile(0.75, buckets), 5.5);
    assert.equal(bucketQuantile(0.5, [[1, 0], [Infinity, 0]]), null);
    assert.equal(bucketQuantile(0.99, [[1, 0], [Infinity, 4]]), 1, 'past the last finite bound: that bound');
  });
});
