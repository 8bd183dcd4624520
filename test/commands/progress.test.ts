import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatSeconds, progressLine, progressText } from '../../src/commands/common.js';

test('the progress text gives the expected attempts and the time left on average', () => {
  assert.equal(
    progressText({ attempts: 2_000_000, rate: 1_000_000, elapsedMs: 2000 }, 8_000_000),
    '2.00 M attempts  1.00 M/s  2.0 s  expected 8.00 M(25% of it done)  ~8.0 s left on average',
  );
  assert.match(progressText({ attempts: 0, rate: 0, elapsedMs: 0 }, 16), /time left unknown$/);
  assert.equal(progressText({ attempts: 1500, rate: 3000, elapsedMs: 500 }), '1.50 k attempts  3.00 k/s  0.5 s');
  assert.deepEqual([formatSeconds(42), formatSeconds(600), formatSeconds(7200), formatSeconds(3e6), formatSeconds(Infinity)], ['42 s', '10 min', '2.0 h', '35 days', 'forever']);
});

test('the progress line writes to a terminal only, and ends its line', () => {
  const written: string[] = [];
  const terminal = { isTTY: true, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream;
  const line = progressLine(4096, terminal);
  line.update({ attempts: 1024, rate: 2048, elapsedMs: 500 });
  line.done();
  assert.match(written[0] ?? '', /^\r1\.02 k attempts .* expected 4\.10 k\(25% of it done\)  ~2\.0 s left on average/);
  assert.equal(written[1], '\n');
  const piped = { isTTY: false, write: () => assert.fail('nothing is written to a pipe') } as unknown as NodeJS.WriteStream;
  progressLine(4096, piped).update({ attempts: 1, rate: 1, elapsedMs: 1 });
});
