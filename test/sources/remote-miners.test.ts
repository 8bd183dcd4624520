import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RangeAllocator } from '../../src/broker/ranges.js';
import type { SourceJob } from '../../src/broker/types.js';
import { bitmessage } from '../../src/schemes/bitmessage.js';
import { RemoteMiners } from '../../src/sources/remote-miners.js';

function job(id: string, space: bigint): SourceJob & { controller: AbortController; initialHash: Uint8Array; ranges: RangeAllocator } {
  const ranges = new RangeAllocator(space);
  const controller = new AbortController();
  const input = { initialHash: new Uint8Array(64).fill(id.charCodeAt(0)), target: 1n };
  return {
    id,
    key: bitmessage.key(input),
    family: bitmessage.key(input),
    controller,
    ranges,
    initialHash: input.initialHash,
    scheme: bitmessage as never,
    input,
    task: bitmessage.task(input),
    quick: false,
    signal: controller.signal,
    claim: (size) => ranges.claim(size),
    release: (range) => ranges.release(range),
    finish: (range) => ranges.finish(range),
    abandon: () => {},
    countAttempts: () => {},
    reportNonce: (nonce) => nonce === 7n,
    reportSolution: () => false,
  };
}

test('miners take ranges round-robin over the open jobs, until each space is handed out', () => {
  const miners = new RemoteMiners(10n);
  const a = job('a', 20n);
  const b = job('b', 10n);
  miners.run(a);
  miners.run(b);
  const taken = [1, 2, 3, 4].map(() => miners.claim('miner')).map((handout) => handout && `${handout.input.initialHash[0]}:${handout.range.start}`);
  const [ofA, ofB] = ['a', 'b'].map((id) => id.charCodeAt(0));
  assert.deepEqual(taken, [`${ofA}:0`, `${ofB}:0`, `${ofA}:10`, null]);
  const isA = (input: { initialHash: Uint8Array }) => Buffer.from(a.initialHash).equals(input.initialHash);
  assert.equal(miners.openInputs(isA).length, 1);
  a.controller.abort();
  assert.equal(miners.openInputs(isA).length, 0);
});

test('a waiting miner wakes when a job arrives, and gives up at its deadline', async () => {
  const miners = new RemoteMiners(10n);
  const stop = new AbortController();
  const waiting = miners.next('miner', 5000, stop.signal);
  assert.equal(miners.waitingWorkers, 1);
  const c = job('c', 100n);
  miners.run(c);
  assert.equal((await waiting)?.input.initialHash, c.initialHash);
  const empty = new RemoteMiners(10n);
  const started = Date.now();
  assert.equal(await empty.next('miner', 30, stop.signal), null);
  assert.ok(Date.now() - started >= 25);
  const cancelled = empty.next('miner', 5000, stop.signal);
  stop.abort();
  assert.equal(await cancelled, null);
  assert.equal(empty.waitingWorkers, 0);
});

test('a reported nonce reaches only the open jobs the door picks; a handout of a finished job is inert', () => {
  const miners = new RemoteMiners(10n);
  const [a, b] = [job('a', 100n), job('b', 100n)];
  miners.run(a);
  miners.run(b);
  const isA = (input: { initialHash: Uint8Array }) => Buffer.from(a.initialHash).equals(input.initialHash);
  assert.equal(miners.report(isA, 6n, 'miner'), false, 'the job refuses a wrong nonce');
  assert.equal(miners.report(isA, 7n, 'miner'), true);
  assert.equal(miners.report(() => false, 7n, 'miner'), false, 'no job picked, no report');
  const handout = miners.claim('miner')!;
  const told: string[] = [];
  for (const open of [a, b]) {
    open.finish = () => void told.push('finish');
    open.release = () => void told.push('release');
    open.controller.abort();
  }
  handout.finish();
  handout.release();
  assert.deepEqual(told, [], 'a job that is over hears nothing of its ranges');
  assert.equal(miners.claim('miner'), null);
});

test("a handout counts the nonces its miner searched as that miner's attempts, after the job is over too", () => {
  const miners = new RemoteMiners(10n);
  const a = job('a', 100n);
  const counted: [number, string][] = [];
  a.countAttempts = (attempts, source) => void counted.push([attempts, source]);
  miners.run(a);
  const first = miners.claim('metanoia:10.0.0.1:5000')!;
  first.finish();
  const second = miners.claim('metanoia:10.0.0.2:5000')!;
  assert.deepEqual(second.range, { start: 10n, end: 20n });
  a.controller.abort();
  second.report(13n);
  second.report(9n);
  second.report(20n);
  assert.deepEqual(counted, [
    [10, 'metanoia:10.0.0.1:5000'],
    [4, 'metanoia:10.0.0.2:5000'],
  ], 'a whole range, then up to and with a reported nonce; nothing for a nonce outside the range');
});

test('a handout whose reported nonce is not accepted gives the unsearched rest of its range back', () => {
  const miners = new RemoteMiners(10n);
  const a = job('a', 10n);
  miners.run(a);
  const handout = miners.claim('miner')!;
  assert.equal(miners.report(() => true, 3n, 'miner'), false);
  handout.report(3n);
  assert.deepEqual(miners.claim('miner')?.range, { start: 4n, end: 10n }, 'the nonces after the reported one are searched again');
});

test('a handout whose reported nonce lies outside its range gives the whole range back; the job can still be exhausted', () => {
  const miners = new RemoteMiners(10n);
  const a = job('a', 10n);
  miners.run(a);
  miners.claim('miner')!.report(12n);
  const again = miners.claim('miner')!;
  assert.deepEqual(again.range, { start: 0n, end: 10n });
  assert.equal(a.ranges.exhausted, false);
  again.report(9n);
  assert.equal(a.ranges.exhausted, true, 'a report at the last nonce leaves nothing outstanding');
});
