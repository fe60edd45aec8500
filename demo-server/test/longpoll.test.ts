// GET /api/changes: answers at once when there is something to send, else holds up to `wait`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChangesResponseSchema, validate, type EventFrame, type SnapshotFrame } from '@fg/protocol';
import { bearer, poll, simulate, startTestServer, tokenFor, untilSubscribed, within } from './helpers.js';

describe('long-poll', async () => {
  const server = await startTestServer();
  const token = await tokenFor(server, 'c-story');
  const first = await poll(server, token);
  const snapshot = first.frames[0] as SnapshotFrame;

  it('answers at once with a snapshot when there is no cursor', () => {
    assert.equal(first.status, 200);
    assert.ok(validate(ChangesResponseSchema, first.body).ok);
    assert.equal(first.frames.length, 1);
    assert.equal(snapshot.type, 'snapshot');
    assert.equal(snapshot.counts.active, 2);
  });

  it('answers at once with the events after the cursor, in order', async () => {
    const a = await simulate(server, 'c-story', { action: 'payment' });
    const b = await simulate(server, 'c-story', { action: 'message' });
    const res = await poll(server, token, { epoch: snapshot.epoch, since: snapshot.seq, wait: 25 });
    assert.deepEqual(
      res.frames.map((f) => (f as EventFrame).seq),
      [a.seq, b.seq],
    );
  });

  it('holds until the next event and answers with it', async () => {
    const head = (await poll(server, token, { epoch: snapshot.epoch, since: 0 })).frames.at(-1) as EventFrame;
    const held = poll(server, token, { epoch: snapshot.epoch, since: head.seq, wait: 25 });
    await untilSubscribed(server, 'c-story');
    const { seq } = await simulate(server, 'c-story', { action: 'book' });
    const res = await within(held, 3000, 'the held poll');
    assert.equal(res.status, 200);
    assert.deepEqual(
      res.frames.map((f) => (f as EventFrame).seq),
      [seq],
    );
  });

  it('answers one heartbeat when nothing happens during the hold', async () => {
    const { seq } = await simulate(server, 'c-story', { action: 'payment' });
    const res = await poll(server, token, { epoch: snapshot.epoch, since: seq, wait: 0.05 });
    assert.deepEqual(res.frames, [
      { type: 'heartbeat', epoch: snapshot.epoch, seq, serverTime: server.clock.now() },
    ]);
    const immediate = await poll(server, token, { epoch: snapshot.epoch, since: seq, wait: 0 });
    assert.equal(immediate.frames[0]!.type, 'heartbeat');
  });

  it('answers 401 when the token expires in the middle of a hold', async () => {
    const shortLived = await tokenFor(server, 'c-story', 10);
    const { seq } = await simulate(server, 'c-story', { action: 'payment' });
    const held = poll(server, shortLived, { epoch: snapshot.epoch, since: seq, wait: 30 });
    await untilSubscribed(server, 'c-story');
    server.clock.advance(10_000);
    const res = await within(held, 3000, 'the held poll');
    assert.equal(res.status, 401);
    assert.deepEqual(res.body, { error: 'auth-expired', message: 'The token has expired' });
  });

  it('answers 400 for a half or malformed cursor and a bad wait', async () => {
    for (const query of [
      'epoch=abc',
      'since=3',
      'epoch=a:b&since=1',
      'epoch=abc&since=-1',
      'since=1&epoch=x&wait=soon',
    ]) {
      const res = await fetch(`${server.url}/api/changes?${query}`, { headers: bearer(token) });
      assert.equal(res.status, 400, query);
      assert.equal(((await res.json()) as { error: string }).error, 'malformed');
    }
  });
});
