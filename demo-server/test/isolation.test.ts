// A consultant sees their own data only, on every transport, whatever the client sends.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CloseCode, type EventFrame, type SnapshotFrame } from '@fg/protocol';
import {
  bearer,
  nextEvents,
  poll,
  simulate,
  SseClient,
  startTestServer,
  tokenFor,
  untilSubscribed,
  within,
  WsClient,
} from './helpers.js';

describe('isolation between consultants', async () => {
  const server = await startTestServer();
  const story = await tokenFor(server, 'c-story');
  const other = await tokenFor(server, 'c-other');

  /** Five events for c-other, then one for c-story. */
  async function othersThenMine(): Promise<number> {
    for (let i = 0; i < 5; i++)
      await simulate(server, 'c-other', { action: 'message', text: `private ${i}` });
    return (await simulate(server, 'c-story', { action: 'payment' })).seq;
  }

  it("WebSocket: A receives none of B's events", async () => {
    const a = await WsClient.connect(server, story);
    const snapshot = (await a.next()) as SnapshotFrame;
    const mine = await othersThenMine();
    const [event] = await nextEvents(a, 1);
    assert.equal(event!.seq, mine);
    assert.equal(event!.epoch, snapshot.epoch);
    assert.deepEqual(a.drain(), []);
    await a.close();
  });

  it("SSE: A receives none of B's events", async () => {
    const a = await SseClient.connect(server, story);
    await a.next();
    const snapshot = (await a.next()) as SnapshotFrame;
    const mine = await othersThenMine();
    const [event] = await nextEvents(a, 1);
    assert.deepEqual([event!.epoch, event!.seq], [snapshot.epoch, mine]);
    a.close();
  });

  it("the story's scale, 100 dashboards at once (25 a consultant, on WebSocket and SSE): each gets its own consultant's events, every one once, in order", async () => {
    const consultants = ['c-story', 'c-other', 'c-busy', 'c-empty'];
    const tokens = await Promise.all(consultants.map((consultant) => tokenFor(server, consultant)));
    const dashboards: { consultant: string; client: WsClient | SseClient; epoch: string }[] = [];
    // One after another: sockets that have not said hello yet are a bounded number.
    for (let i = 0; i < 100; i++) {
      const token = tokens[i % 4]!;
      const client = i % 2 ? await WsClient.connect(server, token) : await SseClient.connect(server, token);
      if (client instanceof SseClient) assert.equal((await client.next()).type, 'welcome');
      const snapshot = (await client.next()) as SnapshotFrame;
      dashboards.push({ consultant: consultants[i % 4]!, client, epoch: snapshot.epoch });
    }
    // Five rounds, the consultants' events interleaved.
    const committed = new Map(consultants.map((consultant) => [consultant, [] as number[]]));
    for (let round = 0; round < 5; round++)
      for (const consultant of consultants)
        committed.get(consultant)!.push((await simulate(server, consultant, { action: 'add-task' })).seq);
    for (const { consultant, client, epoch } of dashboards) {
      const events = await nextEvents(client, 5);
      assert.deepEqual(
        events.map((event) => [event.epoch, event.seq]),
        committed.get(consultant)!.map((seq) => [epoch, seq]),
        consultant,
      );
      assert.deepEqual(client.drain(), [], 'nothing more');
    }
    await Promise.all(dashboards.map(({ client }) => client.close()));
  });

  it("long-poll: a held request of A is not answered by B's events", async () => {
    const snapshot = (await poll(server, story)).frames[0] as SnapshotFrame;
    const held = poll(server, story, { epoch: snapshot.epoch, since: snapshot.seq, wait: 25 });
    await untilSubscribed(server, 'c-story');
    const mine = await othersThenMine();
    const res = await within(held, 3000, 'the held poll');
    assert.deepEqual(
      res.frames.map((f) => [f.type, (f as EventFrame).seq]),
      [['event', mine]],
    );
  });

  it("a cursor naming B's log gets A's own snapshot, never B's events", async () => {
    const theirs = (await poll(server, other)).frames[0] as SnapshotFrame;
    const res = await poll(server, story, { epoch: theirs.epoch, since: 0 });
    const frame = res.frames[0] as SnapshotFrame;
    assert.equal(frame.type, 'snapshot');
    assert.equal(frame.consultant.id, 'c-story');
    const ws = await WsClient.connect(server, story, { epoch: theirs.epoch, seq: 0 });
    const wsFrame = (await ws.next()) as SnapshotFrame;
    assert.equal(wsFrame.type, 'snapshot');
    assert.equal(wsFrame.consultant.id, 'c-story');
    await ws.close();
  });

  it('a hello cannot name a consultant: extra fields close the socket with 4400', async () => {
    const ws = await WsClient.open(server);
    ws.send({ type: 'hello', token: story, since: null, consultantId: 'c-other' });
    assert.equal((await ws.next()).type, 'error');
    assert.equal((await ws.closedWith()).code, CloseCode.malformed);
  });

  it("marking B's message read as A answers 404 and B's dashboard is unchanged", async () => {
    const before = (await poll(server, other)).frames[0] as SnapshotFrame;
    const target = before.recentMessages.find((m) => !m.read)!;
    const res = await fetch(`${server.url}/api/messages/${target.id}/read`, {
      method: 'POST',
      headers: bearer(story),
    });
    assert.equal(res.status, 404);
    const after = (await poll(server, other)).frames[0] as SnapshotFrame;
    assert.equal(after.seq, before.seq);
    assert.deepEqual(after.counts, before.counts);
    assert.deepEqual(after.recentMessages, before.recentMessages);
  });
});
