import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebSocket } from 'ws';
import { createInlineEngine } from '../../src/engine/inline.js';
import { referenceBackend } from '../../src/engine/reference.js';
import { expectedAttempts } from '../../src/schemes/search.js';
import { nostr } from '../../src/schemes/nostr.js';
import { PacedEngine } from '../helpers/paced-engine.js';
import { startTestServer, wsUrl } from '../helpers/server.js';

const TARGET = 12;
const CHUNK = 64;

test('a Nostr request with "progress": true hears of its search every second, before the answer', async () => {
  const event = { created_at: 1700000000, kind: 1, tags: [], content: 'progress, please', pubkey: 'ef'.repeat(32) };
  const job = { event, difficulty: TARGET };
  // Where the search will end, found at full speed: the paced engine then takes about 2.5 s to get there.
  const { nonce } = await createInlineEngine(referenceBackend).search(nostr.task(job));
  const pauseMs = Math.max(1, Math.round(2500 / Math.max(1, Number(nonce) / CHUNK)));
  const server = await startTestServer('', { engine: new PacedEngine(CHUNK, pauseMs) });
  const ws = new WebSocket(wsUrl(server));
  try {
    await new Promise((resolve) => ws.once('open', resolve));
    const messages: Record<string, unknown>[] = [];
    const answered = new Promise<void>((resolve) =>
      ws.on('message', (data) => {
        const message = JSON.parse(String(data)) as Record<string, unknown>;
        messages.push(message);
        if (!('progress' in message)) resolve();
      }),
    );
    ws.send(JSON.stringify({ id: 'slow', event, target_pow: TARGET, progress: true }));
    await answered;

    const answer = messages.at(-1)!;
    assert.equal(answer.id, 'slow');
    assert.equal(answer.pow !== undefined && (answer.pow as number) >= TARGET, true);
    const reports = messages.slice(0, -1).map((message) => {
      assert.equal(message.id, 'slow');
      return message.progress as { attempts: number; rate: number; expected: number };
    });
    assert.ok(reports.length >= 1, `progress arrived before the answer (${reports.length})`);
    assert.ok(reports.length <= 4, 'about one a second');
    for (const report of reports) {
      assert.equal(report.expected, expectedAttempts(nostr.task(job)));
      assert.equal(report.expected, 2 ** TARGET);
      assert.ok(report.attempts > 0 && report.attempts <= Number(nonce) + 1, `attempts ${report.attempts}`);
      assert.ok(report.rate > 0);
    }
    for (let i = 1; i < reports.length; i++) assert.ok(reports[i]!.attempts >= reports[i - 1]!.attempts, 'attempts only grow');

    // Without the flag nothing but the answer comes.
    const plain = new Promise<Record<string, unknown>>((resolve) => ws.once('message', (data) => resolve(JSON.parse(String(data)) as Record<string, unknown>)));
    ws.send(JSON.stringify({ id: 'again', event, target_pow: TARGET }));
    assert.equal((await plain).id, 'again');
    ws.send(JSON.stringify({ id: 'bad', event, progress: 'yes' }));
    const refused = await new Promise<Record<string, unknown>>((resolve) => ws.once('message', (data) => resolve(JSON.parse(String(data)) as Record<string, unknown>)));
    assert.deepEqual(refused, { error: 'progress must be a boolean', id: 'bad' });
  } finally {
    ws.close();
    await server.close();
  }
});
