// GET /api/stream: Server-Sent Events with the token in a header and the cursor in Last-Event-ID.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextEvents, simulate, SseClient, startTestServer, tokenFor, untilSubscribed } from './helpers.js';

describe('SSE', async () => {
  const server = await startTestServer({ heartbeatMs: 50 });
  const token = await tokenFor(server, 'c-story');

  it('streams welcome then a snapshot, each as event/id/data with the protocol headers', async () => {
    const sse = await SseClient.connect(server, token);
    assert.equal(sse.status, 200);
    assert.match(sse.response.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.equal(sse.response.headers.get('cache-control'), 'no-cache');
    const welcome = await sse.nextMessage();
    assert.equal(welcome.event, 'welcome');
    assert.equal(welcome.id, undefined, 'no cursor was sent, so the welcome sets none');
    const frame = JSON.parse(welcome.data) as {
      type: string;
      epoch: string;
      seq: number;
      consultantId: string;
    };
    assert.equal(frame.type, 'welcome');
    assert.equal(frame.consultantId, 'c-story');
    const snapshot = await sse.nextMessage();
    assert.equal(snapshot.event, 'snapshot');
    assert.equal(snapshot.id, `${frame.epoch}:${frame.seq}`);
    sse.close();
  });

  it('delivers live events with id epoch:seq, and heartbeats carrying the current seq', async () => {
    const sse = await SseClient.connect(server, token);
    await sse.nextMessage();
    const snapshot = JSON.parse((await sse.nextMessage()).data) as { epoch: string };
    const { seq } = await simulate(server, 'c-story', { action: 'book', familyName: 'The Novaks' });
    let message = await sse.nextMessage();
    while (message.event === 'heartbeat') message = await sse.nextMessage();
    assert.equal(message.event, 'event');
    assert.equal(message.id, `${snapshot.epoch}:${seq}`);
    assert.equal((JSON.parse(message.data) as { kind: string }).kind, 'consultation.booked');
    const beat = await sse.nextMessage(2000);
    assert.equal(beat.event, 'heartbeat');
    assert.equal(beat.id, `${snapshot.epoch}:${seq}`);
    assert.deepEqual(JSON.parse(beat.data), {
      type: 'heartbeat',
      epoch: snapshot.epoch,
      seq,
      serverTime: server.clock.now(),
    });
    sse.close();
  });

  it('resumes from Last-Event-ID: welcome carries the cursor, then exactly the missed events', async () => {
    const sse = await SseClient.connect(server, token);
    await sse.nextMessage();
    const snapshot = JSON.parse((await sse.nextMessage()).data) as { epoch: string; seq: number };
    sse.close();
    await sse.ended;
    const seqs: number[] = [];
    for (let i = 0; i < 3; i++) seqs.push((await simulate(server, 'c-story', { action: 'payment' })).seq);
    const resumed = await SseClient.connect(server, token, `${snapshot.epoch}:${snapshot.seq}`);
    const welcome = await resumed.nextMessage();
    assert.equal(welcome.event, 'welcome');
    assert.equal(welcome.id, `${snapshot.epoch}:${snapshot.seq}`);
    assert.deepEqual(
      (await nextEvents(resumed, 3)).map((e) => e.seq),
      seqs,
    );
    resumed.close();
  });

  it('answers a Last-Event-ID it cannot resume with a snapshot', async () => {
    const sse = await SseClient.connect(server, token, 'not-a-cursor');
    assert.equal((await sse.nextMessage()).event, 'welcome');
    assert.equal((await sse.nextMessage()).event, 'snapshot');
    sse.close();
  });

  it('at the token expiry sends event auth-expired and ends the stream', async () => {
    const sse = await SseClient.connect(server, await tokenFor(server, 'c-story', 30));
    await sse.nextMessage();
    await sse.nextMessage();
    server.clock.advance(30_000);
    let message = await sse.nextMessage();
    while (message.event === 'heartbeat') message = await sse.nextMessage();
    assert.equal(message.event, 'auth-expired');
    assert.deepEqual(JSON.parse(message.data), {
      type: 'error',
      code: 'auth-expired',
      message: 'The token has expired',
    });
    await sse.ended;
    assert.equal(sse.messages.ended, true);
  });

  it('lets go of the subscription when the client disconnects', async () => {
    const other = await tokenFor(server, 'c-empty');
    const sse = await SseClient.connect(server, other);
    await sse.nextMessage();
    await untilSubscribed(server, 'c-empty', 1);
    sse.close();
    const deadline = performance.now() + 3000;
    while (server.hub.subscriberCount('c-empty') > 0) {
      assert.ok(performance.now() < deadline, 'the server noticed the disconnect');
      await new Promise((resolve) => setImmediate(resolve));
    }
  });
});
