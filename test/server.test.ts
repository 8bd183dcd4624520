import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { CLI, runCli } from './helpers/cli.js';
import { freePort, httpUrl, openHttpConnection, startTestServer } from './helpers/server.js';
import { metricValue } from './broker/helpers.js';

const QUIET_DOORS = ['--port', '0', '--metanoia-port', '0', '--stratum-port', '0', '--gate-port', '0', '--log-level', 'silent'];

describe('server', () => {
  it('answers /healthz and /metrics', async () => {
    const server = await startTestServer();
    try {
      const health = await fetch(httpUrl(server, '/healthz'));
      assert.equal(health.status, 200);
      const body = (await health.json()) as {
        status: string;
        engine: { backend: string; kernels: Record<string, { variant: string; source: string }> };
        jobs: { active: number };
      };
      assert.equal(body.status, 'ok');
      assert.equal(body.engine.backend, 'js');
      assert.deepEqual(body.engine.kernels['blake2b-nano'], { variant: 'reference', source: 'fixed' });
      assert.equal(body.jobs.active, 0);
      assert.equal('stratum' in body, false, 'no Stratum status while its door is off');
      assert.equal((await fetch(httpUrl(server, '/stratum/workers'))).status, 404);

      await fetch(httpUrl(server, '/pow'), { method: 'POST', body: JSON.stringify({ hash: '00'.repeat(32), difficulty: 'ff00000000000000' }) });
      const metrics = await fetch(httpUrl(server, '/metrics'));
      assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain/);
      const text = await metrics.text();
      for (const line of [
        'powerplant_jobs_total{scheme="nano",outcome="solved"} 1',
        'powerplant_queue_depth 0',
        'powerplant_active_jobs 0',
        'powerplant_cache_misses_total{scheme="nano"} 1',
        'powerplant_wins_total{source="engine"} 1',
        'powerplant_connections{door="nostr-ws"} 0',
      ]) {
        assert.ok(text.includes(line), `metrics include ${line}`);
      }
      assert.match(text, /^powerplant_engine_hash_rate \d/m);
      assert.ok(text.includes('powerplant_engine_kernel{family="sha256-text",kernel="reference",source="fixed"} 1'), text);
    } finally {
      await server.close();
    }
  });

  it('runs two servers side by side with separate metrics', async () => {
    const [a, b] = await Promise.all([startTestServer(), startTestServer()]);
    try {
      assert.notEqual(a.addresses.http.port, b.addresses.http.port);
      assert.notEqual(a.metrics.registry, b.metrics.registry);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('HTTP port limits', () => {
  /** A server with `toml`, two connections it served, and the third from the same address refused. */
  async function fullServer(t: TestContext, toml: string): Promise<{ port: number; open: Socket[] }> {
    const server = await startTestServer(toml);
    const open: Socket[] = [];
    t.after(async () => {
      for (const socket of open) socket.destroy();
      await server.close();
    });
    const port = server.addresses.http.port;
    for (let i = 0; i < 2; i++) {
      const socket = await openHttpConnection(port);
      assert.ok(socket !== null, `connection ${i + 1} served`);
      open.push(socket);
    }
    assert.equal(await openHttpConnection(port), null, 'the third is closed unanswered');
    assert.equal(await metricValue(server.metrics.connectionsRefused, { door: 'http' }), 1);
    return { port, open };
  }

  it('holds at most server.max_http_connections_per_source connections from one address', async (t) => {
    const { port, open } = await fullServer(t, '[server]\nmax_http_connections_per_source = 2\n');
    const other = await openHttpConnection(port, '/healthz', '127.0.0.2');
    assert.ok(other !== null, 'another address is served');
    open.push(other);
  });

  it('holds at most server.max_http_connections connections; the ones it holds are served', async (t) => {
    const { port, open } = await fullServer(t, '[server]\nmax_http_connections = 2\n');
    // A freed place is taken again.
    const closed = new Promise((resolve) => open[0]!.once('close', resolve));
    open.shift()!.destroy();
    await closed;
    let again: Socket | null = null;
    for (let attempt = 0; attempt < 50 && again === null; attempt++) again = await openHttpConnection(port);
    assert.ok(again !== null, 'a connection is served once one has closed');
    open.push(again);
  });
});

describe('powerplant serve', () => {
  it('starts and shuts down cleanly whatever becomes of its stdout (its reader gone early or late)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'powerplant-stdout-'));
    for (const readerGoes of ['at once', 'after the first line'] as const) {
      const port = await freePort();
      const noisy = ['--port', String(port), '--metanoia-port', '0', '--stratum-port', '0', '--gate-port', '0', '--log-level', 'debug'];
      const child = spawn(process.execPath, [CLI, 'serve', '--state-dir', dir, '--threads', '1', ...noisy], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      try {
        if (readerGoes === 'after the first line') await new Promise((resolve) => child.stdout.once('data', resolve));
        child.stdout.destroy();
        // It starts (logging and printing its addresses into the broken pipe) and serves.
        let healthy = false;
        for (let attempt = 0; attempt < 200 && !healthy && child.exitCode === null; attempt++) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          healthy = await fetch(`http://127.0.0.1:${port}/healthz`).then((answer) => answer.ok, () => false);
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
        assert.ok(healthy && child.exitCode === null, `serving with its reader gone ${readerGoes}: ${stderr}`);
        const stopping = performance.now();
        child.kill('SIGTERM');
        assert.equal(await exited, 0, stderr);
        assert.ok(performance.now() - stopping < 4000, 'exits within the shutdown bound');
      } finally {
        child.kill('SIGKILL');
      }
    }
  });

  it('refuses an invalid config with exit code 2 and the key', async () => {
    const result = await runCli(['serve', '--port', '70000'], { timeoutMs: 20_000 });
    assert.equal(result.code, 2);
    assert.equal(result.stderr, 'powerplant: config: server.port must be an integer between 0 and 65535\n');
  });

  it('shuts down on SIGTERM within the bound: jobs in flight fail with a shutdown error, exit 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'powerplant-serve-'));
    const config = join(dir, 'serve.toml');
    writeFileSync(config, '[server]\nshutdown_timeout_ms = 300\n[broker]\nmax_attempts_per_address = 9007199254740991\n');
    const child = spawn(process.execPath, [CLI, 'serve', '--config', config, '--state-dir', dir, '--threads', '1', ...QUIET_DOORS, '--log-level', 'info'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          const match = /^powerplant listening http:\/\/127\.0\.0\.1:(\d+) /m.exec(stderr);
          if (match) resolve(Number(match[1]));
        });
        child.on('exit', (code) => reject(new Error(`serve exited early with ${code}`)));
      });
      const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as { status: string };
      assert.equal(health.status, 'ok');

      const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
      await new Promise((resolve) => ws.once('open', resolve));
      const answer = new Promise<string>((resolve) => ws.once('message', (data) => resolve(String(data))));
      const closed = new Promise<number>((resolve) => ws.once('close', resolve));
      const pubkey = 'ab'.repeat(32);
      ws.send(JSON.stringify({ id: 'late', event: { created_at: 1, kind: 1, tags: [], content: 'x', pubkey }, target_pow: 50 }));
      await new Promise((resolve) => setTimeout(resolve, 200));

      const stopping = performance.now();
      child.kill('SIGTERM');
      assert.deepEqual(JSON.parse(await answer), { error: 'the server is shutting down', id: 'late' });
      assert.equal(await closed, 1001);
      assert.equal(await exited, 0);
      assert.ok(performance.now() - stopping < 4000, 'exits within the shutdown bound');
      // stdout holds JSON log lines alone (the human lines went to stderr), one of them per HTTP request.
      const lines = stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      const request = lines.find((line) => line.msg === 'http request');
      assert.ok(request !== undefined, 'the /healthz request is logged');
      assert.equal(request.level, 30);
      assert.deepEqual([request.method, request.route, request.status, request.source], ['GET', '/healthz', 200, '127.0.0.1']);
      assert.equal(typeof request.durationMs, 'number');
    } finally {
      child.kill('SIGKILL');
    }
  });
});
