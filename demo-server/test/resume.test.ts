// Resume on every transport: exactly the missed events, in order, no duplicates; a snapshot
// when the cursor is past retention (by count or by age) or names another epoch.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Cursor, EventFrame, ServerFrame, SnapshotFrame } from '@fg/protocol';
import {
  BACKENDS,
  nextEvents,
  poll,
  post,
  settled,
  simulate,
  SseClient,
  suiteServer,
  tokenFor,
  WsClient,
  type SimulateBody,
  type TestServer,
} from './helpers.js';

const MIX: SimulateBody[] = [
  { action: 'message', text: 'while you were away' },
  { action: 'payment', amountMinor: 1_000 },
  { action: 'book' },
  { action: 'add-task' },
  { action: 'associate-family' },
];

async function append(server: TestServer, n: number, consultantId = 'c-story'): Promise<number[]> {
  const seqs: number[] = [];
  for (let i = 0; i < n; i++) seqs.push((await simulate(server, consultantId, MIX[i % MIX.length]!)).seq);
  return seqs;
}

/** The cursor of a fresh client: from the snapshot its first connection gets. */
async function freshCursor(server: TestServer, token: string): Promise<Cursor> {
  const snapshot = (await poll(server, token)).frames[0] as SnapshotFrame;
  return { epoch: snapshot.epoch, seq: snapshot.seq };
}

/** Resumes from `cursor` on `transport`; returns every frame up to the point it is idle. */
async function resume(
  server: TestServer,
  transport: 'websocket' | 'sse' | 'polling',
  token: string,
  cursor: Cursor,
  expectEvents: number,
): Promise<ServerFrame[]> {
  if (transport === 'polling') {
    return (await poll(server, token, { epoch: cursor.epoch, since: cursor.seq, wait: 25 })).frames;
  }
  if (transport === 'websocket') {
    const ws = await WsClient.connect(server, token, cursor);
    const frames: ServerFrame[] = expectEvents > 0 ? await nextEvents(ws, expectEvents) : [await ws.next()];
    // A pong after the replay proves nothing else was queued behind it.
    ws.send({ type: 'ping', id: 'end' });
    const after = await ws.next();
    assert.equal(after.type, 'pong', `nothing but the replay came before the pong: ${JSON.stringify(after)}`);
    await ws.close();
    return frames;
  }
  const sse = await SseClient.connect(server, token, `${cursor.epoch}:${cursor.seq}`);
  assert.equal((await sse.next()).type, 'welcome');
  const frames: ServerFrame[] = expectEvents > 0 ? await nextEvents(sse, expectEvents) : [await sse.next()];
  // Another event after the replay must arrive as the very next frame: no duplicate in between.
  const { seq } = await simulate(server, 'c-story', { action: 'payment' });
  const next = await sse.next();
  assert.equal(next.type === 'event' && next.seq, seq);
  sse.close();
  return frames;
}

for (const backend of BACKENDS)
  for (const transport of ['websocket', 'sse', 'polling'] as const) {
    describe(`resume over ${transport} (${backend})`, () => {
      const server = suiteServer({ backend, retention: { events: 100, ms: 60 * 60_000 } });
      let token: string;
      before(async () => {
        // Valid for a week: these tests move the clock past the time retention.
        token = await tokenFor(server, 'c-story', 7 * 24 * 3600);
      });

      it('after 50 events while away, receives exactly those 50, in order', async () => {
        const cursor = await freshCursor(server, token);
        if (transport === 'websocket') {
          // Really connected first, then gone.
          const ws = await WsClient.connect(server, token, cursor);
          await ws.close();
        }
        const seqs = await append(server, 50);
        assert.deepEqual(
          seqs,
          Array.from({ length: 50 }, (_, i) => cursor.seq + 1 + i),
        );
        const frames = await resume(server, transport, token, cursor, 50);
        assert.equal(frames.length, 50);
        assert.ok(frames.every((f) => f.type === 'event' && f.epoch === cursor.epoch));
        assert.deepEqual(
          frames.map((f) => (f as EventFrame).seq),
          seqs,
        );
      });

      it('gets a snapshot when the cursor is older than the event retention', async () => {
        const cursor = await freshCursor(server, token);
        await append(server, 101);
        const frames = await resume(server, transport, token, cursor, 0);
        assert.equal(frames.length, 1);
        const snapshot = frames[0] as SnapshotFrame;
        assert.equal(snapshot.type, 'snapshot');
        assert.equal(snapshot.seq, cursor.seq + 101);
      });

      it('gets a snapshot when the missed events are older than the time retention', async () => {
        const cursor = await freshCursor(server, token);
        await append(server, 2);
        server.clock.advance(60 * 60_000 + 1);
        await settled(server);
        const frames = await resume(server, transport, token, cursor, 0);
        assert.equal(frames[0]!.type, 'snapshot');
      });

      it('gets a snapshot in the new epoch after the log is reset', async () => {
        const cursor = await freshCursor(server, token);
        await append(server, 3);
        const res = await post(server, '/api/demo/reset-log', { consultantId: 'c-story' });
        const head = (await res.json()) as Cursor;
        assert.notEqual(head.epoch, cursor.epoch);
        assert.equal(head.seq, 0);
        const frames = await resume(server, transport, token, cursor, 0);
        const snapshot = frames[0] as SnapshotFrame;
        assert.equal(snapshot.type, 'snapshot');
        assert.equal(snapshot.epoch, head.epoch);
        assert.equal(snapshot.seq, 0);
        // The new log numbers from 1 again (the SSE check above appended one already).
        const expected = transport === 'sse' ? 2 : 1;
        assert.equal((await simulate(server, 'c-story', { action: 'payment' })).seq, expected);
      });

      it('gets a snapshot for a cursor ahead of the log', async () => {
        const cursor = await freshCursor(server, token);
        const frames = await resume(server, transport, token, { ...cursor, seq: cursor.seq + 5 }, 0);
        assert.equal(frames[0]!.type, 'snapshot');
      });
    });
  }

for (const backend of BACKENDS)
  describe(`log reset while connected (${backend})`, () => {
    const server = suiteServer({ backend });

    it('moves every open connection to the new epoch with a snapshot', async () => {
      const token = await tokenFor(server, 'c-story');
      const ws = await WsClient.connect(server, token);
      const before = (await ws.next()) as SnapshotFrame;
      const sse = await SseClient.connect(server, token);
      await sse.next();
      await sse.next();
      const head = await server.resetLog('c-story');
      assert.notEqual(head.epoch, before.epoch);
      for (const source of [ws, sse]) {
        const frame = (await source.next()) as SnapshotFrame;
        assert.equal(frame.type, 'snapshot');
        assert.equal(frame.epoch, head.epoch);
        assert.equal(frame.seq, 0);
      }
      const { seq } = await simulate(server, 'c-story', { action: 'message' });
      const [event] = await nextEvents(ws, 1);
      assert.deepEqual([event!.epoch, event!.seq], [head.epoch, seq]);
      await ws.close();
      sse.close();
    });
  });
