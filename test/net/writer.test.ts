import assert from 'node:assert/strict';
import { test } from 'node:test';
import { boundedWriter, type Peer } from '../../src/net/writer.js';

/** A peer that reads nothing: every byte written stays pending. */
function stalledPeer(): Peer & { written: string[]; dropped: number } {
  const peer = {
    written: [] as string[],
    dropped: 0,
    get writable() {
      return peer.dropped === 0;
    },
    get pendingBytes() {
      return peer.written.reduce((sum, text) => sum + Buffer.byteLength(text), 0);
    },
    write: (text: string) => void peer.written.push(text),
    drop: () => void (peer.dropped += 1),
  };
  return peer;
}

test('a peer is dropped once, after the write that takes its unread bytes past the cap, and written no more', () => {
  const peer = stalledPeer();
  let slowReaders = 0;
  const send = boundedWriter(peer, 10, () => (slowReaders += 1));
  send('12345');
  send('67890');
  assert.equal(peer.dropped, 0, 'exactly at the cap is still fine');
  send('x');
  assert.deepEqual([peer.dropped, slowReaders], [1, 1]);
  send('more');
  assert.deepEqual(peer.written, ['12345', '67890', 'x'], 'nothing is written to a dropped peer');
  assert.equal(slowReaders, 1);
});
