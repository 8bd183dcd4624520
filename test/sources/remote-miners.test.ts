import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RangeAllocator } from '../../src/broker/ranges.js';
import type { SourceJob } from '../../src/broker/types.js';
import { bitmessage } from '../../src/schemes/bitmessage.js';
import { RemoteMiners } from '../../src/sources/remote-miners.js';

function job(id: string, space: bigint): SourceJob & { controller: AbortController; initialHash: Uint8Array } {
  const ranges = new RangeAllocator(space);
  const controller = new AbortController();
  const input = { initialHash: new Uint8Array(64).fill(id.charCodeAt(0)), target: 1n };
  return {
    id,
    controller,
    initialHash: input.initialHash,
    scheme: bitmessage as never,
    input,
    task: bitmessage.task(input),
    signal: controller.signal,
    claim: (size) => ranges.claim(size),
    release: (range) => ranges.release(range),
    finish: (range) => ranges.finish(range),
    abandon: () => {},
    countAttempts: () => {},
    reportNonce: () => false,
    reportSolution: () => false,
  };
}

test('miners take ranges round-robin over the open jobs, until each space is handed out', () => {
  const miners = new RemoteMiners(10n);
  const a = job('a', 20n);
  const b = job('b', 10n);
  miners.run(a);
  miners.run(b);
  const taken = [1, 2, 3, 4].map(() => miners.claim()).map((assignment) => assignment && `${assignment.job.id}:${assignment.range.start}`);
  assert.deepEqual(taken, ['a:0', 'b:0', 'a:10', null]);
  assert.equal(miners.jobsFor(a.initialHash).length, 1);
  a.controller.abort();
  assert.equal(miners.jobsFor(a.initialHash).length, 0);
});

test('a waiting miner wakes when a job arrives, and gives up at its deadline', async () => {
  const miners = new RemoteMiners(10n);
  const stop = new AbortController();
  const waiting = miners.next(5000, stop.signal);
  assert.equal(miners.waitingMiners, 1);
  miners.run(job('c', 100n));
  assert.equal((await waiting)?.job.id, 'c');
  const empty = new RemoteMiners(10n);
  const started = Date.now();
  assert.equal(await empty.next(30, stop.signal), null);
  assert.ok(Date.now() - started >= 25);
  const cancelled = empty.next(5000, stop.signal);
  stop.abort();
  assert.equal(await cancelled, null);
  assert.equal(empty.waitingMiners, 0);
});
