// A server told to stop while connections are still reading where their clients stand: a
// held poll and an SSE stream that have sent nothing yet answer 503 with Retry-After, as a
// server going away does (docs/protocol.md, section 5), so their clients try again. Not a
// heartbeat naming no position (an invalid frame), nor a 200 stream with nothing in it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SnapshotFrame } from '@fg/protocol';
import type { Storage } from '../src/db/storage.js';
import { bearer, poll, SseClient, startTestServer, tokenFor, within } from './helpers.js';

/**
 * Holds the storage's next `n` read transactions (connections catching up) before they
 * begin, as a slow database would, until released.
 */
function holdReads(storage: Storage, n: number): { waiting: Promise<void>; release(): void } {
  const original = storage.read;
  const read = original.bind(storage);
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let arrived!: () => void;
  const waiting = new Promise<void>((resolve) => (arrived = resolve));
  let held = 0;
  storage.read = async (fn) => {
    if (++held === n) {
      storage.read = original;
      arrived();
    }
    await released;
    return read(fn);
  };
  return { waiting, release };
}

describe('a server told to stop while connections read their catch-up', () => {
  it('answers a held poll and an SSE request that have not opened yet 503 with Retry-After', async () => {
    const server = await startTestServer();
    // Followed by nobody else on this node: the hub knows no head for it either.
    const token = await tokenFor(server, 'c-empty');
    const snapshot = (await poll(server, token)).frames[0] as SnapshotFrame;
    assert.equal(snapshot.type, 'snapshot');

    const reads = holdReads(server.storage, 2);
    const query = new URLSearchParams({ epoch: snapshot.epoch, since: String(snapshot.seq), wait: '25' });
    const polled = fetch(`${server.url}/api/changes?${query}`, { headers: bearer(token) });
    const streamed = SseClient.connect(server, token);
    await within(reads.waiting, 3000, 'both catch-up reads');
    const closed = server.close();
    reads.release();

    const pollAnswer = await within(polled, 3000, 'the poll');
    const pollBody = (await pollAnswer.json()) as { error?: string; frames?: unknown };
    assert.equal(pollAnswer.status, 503, `the poll answered ${JSON.stringify(pollBody)}`);
    assert.equal(pollAnswer.headers.get('retry-after'), '1');
    assert.equal(pollBody.error, 'busy');

    const sse = await within(streamed, 3000, 'the stream');
    assert.equal(sse.status, 503, 'not an event stream that ends with nothing in it');
    assert.equal(sse.response.headers.get('retry-after'), '1');
    assert.equal(((await sse.response.json()) as { error: string }).error, 'busy');
    await within(closed, 5000, 'the server to stop');
  });
});
