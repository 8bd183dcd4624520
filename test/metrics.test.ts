import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import WebSocket from 'ws';
import { httpUrl, startTestServer, wsUrl } from './helpers/server.js';
import { parsePrometheusText, type Family } from './helpers/prom-text.js';

/**
 * Every label name our own metrics may use: each has a bounded set of values (no client names or
 * addresses). family, kernel and lane are bounded by the build and the machine's devices.
 */
const BOUNDED_LABELS = new Set(['scheme', 'outcome', 'source', 'upstream', 'reason', 'door', 'limit', 'event', 'le', 'version', 'node_version', 'family', 'kernel', 'lane']);
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

function family(families: Map<string, Family>, name: string): Family {
  const found = families.get(name);
  assert.ok(found !== undefined, `${name} is exposed`);
  return found;
}

describe('the Prometheus parser of the tests', () => {
  it('refuses what a scraper would refuse', () => {
    assert.throws(() => parsePrometheusText('a 1\n'), /outside its family/);
    assert.throws(() => parsePrometheusText('# HELP a x\n# TYPE a counter\na{b="c} 1\n'), /unterminated/);
    assert.throws(() => parsePrometheusText('# HELP a x\n# TYPE a nonsense\n'), /unknown type/);
    assert.throws(
      () => parsePrometheusText('# HELP h x\n# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n'),
      /cumulative/,
    );
    const parsed = parsePrometheusText('# HELP a say \\"x\\"\n# TYPE a gauge\na{b="q\\"\\n"} 1.5e3\n');
    assert.deepEqual(parsed.get('a')?.samples, [{ name: 'a', labels: { b: 'q"\n' }, value: 1500 }]);
  });
});

describe('GET /metrics', () => {
  it('follows the Prometheus conventions: counters, histograms, process and Node metrics, build info, bounded labels', async () => {
    const server = await startTestServer();
    try {
      const answer = await fetch(httpUrl(server, '/pow'), { method: 'POST', body: JSON.stringify({ hash: '11'.repeat(32), difficulty: 'ff00000000000000' }) });
      assert.equal(answer.status, 200);
      const ws = new WebSocket(wsUrl(server));
      await new Promise((resolve) => ws.once('open', resolve));
      const event = { created_at: 1, kind: 1, tags: [], content: 'metrics', pubkey: 'cd'.repeat(32) };
      const mined = new Promise<string>((resolve) => ws.once('message', (data) => resolve(String(data))));
      ws.send(JSON.stringify({ event, target_pow: 6 }));
      assert.ok('event' in (JSON.parse(await mined) as object));
      ws.close();

      const response = await fetch(httpUrl(server, '/metrics'));
      assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      const families = parsePrometheusText(await response.text());

      for (const { name, type } of families.values()) {
        if (type === 'counter') assert.match(name, /_total$/, `counter ${name} ends in _total`);
        // (prom-client's own nodejs_active_*_total gauges predate the rule; ours follow it)
        else if (name.startsWith('powerplant_')) assert.doesNotMatch(name, /_total$/, `${type} ${name} does not end in _total`);
      }
      for (const { name, samples } of families.values()) {
        if (!name.startsWith('powerplant_')) continue;
        for (const sample of samples) {
          for (const label of Object.keys(sample.labels)) assert.ok(BOUNDED_LABELS.has(label), `${name} has the bounded label ${label}`);
          if (sample.labels.source !== undefined) assert.doesNotMatch(sample.labels.source, /:/, `${name}: a source kind, not a client`);
        }
      }

      assert.equal(family(families, 'powerplant_engine_attempts_total').type, 'counter');
      const attempts = family(families, 'powerplant_attempts_total');
      assert.equal(attempts.type, 'counter');
      for (const scheme of ['nano', 'nostr']) {
        const sample = attempts.samples.find((s) => s.labels.source === 'engine' && s.labels.scheme === scheme);
        assert.ok(sample !== undefined && sample.value >= 1, `engine attempts counted for ${scheme}`);
      }

      const histogram = family(families, 'powerplant_time_to_solution_seconds');
      assert.equal(histogram.type, 'histogram');
      for (const [scheme, door] of [['nano', 'nano-http'], ['nostr', 'nostr-ws']]) {
        const count = histogram.samples.find((s) => s.name.endsWith('_count') && s.labels.scheme === scheme && s.labels.door === door);
        assert.equal(count?.value, 1, `one ${scheme} solution timed at ${door}`);
      }

      const build = family(families, 'powerplant_build_info');
      assert.equal(build.type, 'gauge');
      assert.deepEqual(build.samples, [{ name: 'powerplant_build_info', labels: { version: VERSION, node_version: process.versions.node }, value: 1 }]);
      assert.equal(family(families, 'process_cpu_user_seconds_total').type, 'counter');
      assert.equal(family(families, 'process_resident_memory_bytes').type, 'gauge');
      assert.equal(family(families, 'nodejs_eventloop_lag_seconds').type, 'gauge');
      assert.equal(family(families, 'powerplant_jobs_total').type, 'counter');
      assert.equal(family(families, 'powerplant_engine_hash_rate').type, 'gauge');
    } finally {
      await server.close();
    }
  });
});
