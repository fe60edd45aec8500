// GET /api/ws: hello, welcome, replay or snapshot, live events, pings, and every refusal.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { CloseCode, Limits, decodeServerFrame, type ServerFrame } from '@fg/protocol';
import {
  nextEvents,
  simulate,
  SseClient,
  startTestServer,
  T0,
  tokenFor,
  untilSubscribed,
  within,
  WsClient,
} from './helpers.js';
import { simulate as commit } from '../src/simulate.js';

describe('WebSocket', async () => {
  const server = await startTestServer({ allowedOrigins: ['https://host.example'] });
  const token = await tokenFor(server, 'c-story');

  it('answers hello with welcome, then a snapshot when there is no cursor', async () => {
    const client = await WsClient.open(server);
    client.send({ type: 'hello', token, since: null });
    const welcome = await client.next();
    assert.equal(welcome.type, 'welcome');
    if (welcome.type !== 'welcome') return;
    assert.equal(welcome.consultantId, 'c-story');
    assert.equal(welcome.heartbeatMs, 60_000);
    assert.equal(welcome.serverTime, server.clock.now());
    assert.equal(welcome.tokenExpiresAt, Math.floor(T0 / 1000) * 1000 + 3_600_000);
    const snapshot = await client.next();
    assert.equal(snapshot.type, 'snapshot');
    assert.equal(snapshot.type === 'snapshot' && snapshot.seq, welcome.seq);
    assert.equal(snapshot.type === 'snapshot' && snapshot.counts.upcoming, 3);
    await client.close();
  });

  it('delivers live events and answers ping with pong', async () => {
    const client = await WsClient.connect(server, token);
    await client.next();
    const { seq } = await simulate(server, 'c-story', { action: 'message', text: 'hi' });
    const [event] = await nextEvents(client, 1);
    assert.equal(event!.seq, seq);
    client.send({ type: 'ping', id: 'p-1' });
    assert.deepEqual(await client.next(), { type: 'pong', id: 'p-1', serverTime: server.clock.now() });
    await client.close();
  });

  it('sends both of two connections of one consultant every event', async () => {
    const a = await WsClient.connect(server, token);
    const b = await WsClient.connect(server, await tokenFor(server, 'c-story'));
    await a.next();
    await b.next();
    const seqs: number[] = [];
    for (let i = 0; i < 5; i++) seqs.push((await simulate(server, 'c-story', { action: 'payment' })).seq);
    assert.deepEqual(
      (await nextEvents(a, 5)).map((e) => e.seq),
      seqs,
    );
    assert.deepEqual(
      (await nextEvents(b, 5)).map((e) => e.seq),
      seqs,
    );
    await a.close();
    await b.close();
  });

  const refusals: [string, (c: WsClient) => void, number, RegExp][] = [
    ['malformed JSON', (c) => c.send('{"type":'), CloseCode.malformed, /malformed JSON/],
    ['a schema-invalid hello', (c) => c.send({ type: 'hello', token }), CloseCode.malformed, /since/],
    [
      'an unknown frame type',
      (c) => c.send({ type: 'subscribe', consultantId: 'c-other' }),
      CloseCode.malformed,
      /type/,
    ],
    [
      'a ping before hello',
      (c) => c.send({ type: 'ping', id: 'x' }),
      CloseCode.malformed,
      /first frame must be hello/,
    ],
    [
      'a hello whose problem quotes a long value',
      (c) => c.send({ type: 'hello', token, since: { epoch: 'e'.repeat(1000), seq: 1 } }),
      CloseCode.malformed,
      /since/,
    ],
    ['a binary frame', (c) => c.ws.send(Buffer.from([1, 2, 3])), CloseCode.malformed, /JSON text/],
    [
      'a frame over the size limit',
      (c) => c.send({ type: 'hello', token: 'x'.repeat(Limits.maxClientFrameBytes), since: null }),
      CloseCode.malformed,
      /over 8192 bytes/,
    ],
  ];
  for (const [name, act, code, reason] of refusals) {
    it(`closes with ${code} on ${name}, with an error frame and a reason`, async () => {
      const client = await WsClient.open(server);
      act(client);
      const frame = await client.next();
      assert.equal(frame.type, 'error');
      // A frame the client accepts, whatever the client sent.
      assert.deepEqual(decodeServerFrame(frame), { ok: true, value: frame });
      const closed = await client.closedWith();
      assert.equal(closed.code, code);
      assert.match(closed.reason, reason);
    });
  }

  it('closes with 1009 on a frame over 256 KiB, refused before it is read', async () => {
    const client = await WsClient.open(server);
    client.send('x'.repeat(300 * 1024));
    assert.equal((await client.closedWith()).code, 1009);
    assert.deepEqual(client.drain(), [], 'no error frame');
  });

  it('closes with 4400 on a second hello', async () => {
    const client = await WsClient.connect(server, token);
    await client.next();
    client.send({ type: 'hello', token, since: null });
    assert.equal((await nextNonEvent(client)).type, 'error');
    assert.equal((await client.closedWith()).code, CloseCode.malformed);
  });

  it('closes with 4429 when a client sends frames faster than the limit', async () => {
    const client = await WsClient.connect(server, token);
    await client.next();
    for (let i = 0; i < 3 * Limits.maxClientFramesPerSecond; i++)
      client.send({ type: 'ping', id: String(i) });
    const closed = await client.closedWith();
    assert.equal(closed.code, CloseCode.rateLimited);
    const frames = client.drain();
    assert.ok(frames.filter((f) => f.type === 'pong').length <= 2 * Limits.maxClientFramesPerSecond);
    assert.deepEqual(frames.at(-1), { type: 'error', code: 'rate-limited', message: 'Too many frames' });
  });

  it('at the token expiry sends auth-expired and closes with 4401', async () => {
    const shortLived = await tokenFor(server, 'c-story', 60);
    const client = await WsClient.connect(server, shortLived);
    await client.next();
    server.clock.advance(59_000);
    client.send({ type: 'ping', id: 'still-alive' });
    assert.equal((await client.next()).type, 'pong');
    server.clock.advance(1_000);
    assert.deepEqual(await client.next(), {
      type: 'error',
      code: 'auth-expired',
      message: 'The token has expired',
    });
    assert.equal((await client.closedWith()).code, CloseCode.unauthenticated);
  });

  it('refuses the upgrade (403) for an Origin not on the allow-list, before any hello', async () => {
    await assert.rejects(WsClient.open(server, { origin: 'https://evil.example' }), /upgrade refused: 403/);
    const allowed = await WsClient.open(server, { origin: 'https://host.example' });
    await allowed.close();
    const sameOrigin = await WsClient.open(server, { origin: server.url });
    await sameOrigin.close();
  });

  it('refuses an upgrade anywhere but the WebSocket route (404); its query string does not matter', async () => {
    for (const path of ['/api/stream', '/api/ws/extra', '/', '/healthz'])
      await assert.rejects(WsClient.open(server, { path }), /upgrade refused: 404/, path);
    const client = await WsClient.open(server, { path: '/api/ws?v=1' });
    client.send({ type: 'hello', token, since: null });
    assert.equal((await client.next()).type, 'welcome');
    await client.close();
  });

  it('a 1,000-event burst reaches one connection complete and in order', async () => {
    const client = await WsClient.connect(server, token);
    await client.next();
    const first = (await simulate(server, 'c-story', { action: 'message', text: 'burst 0' })).seq;
    const kinds = ['message', 'payment', 'add-task', 'book'] as const;
    let next = 1;
    const worker = async () => {
      while (next < 1000) {
        const i = next++;
        const action = kinds[i % kinds.length]!;
        await simulate(server, 'c-story', action === 'message' ? { action, text: `burst ${i}` } : { action });
      }
    };
    await within(Promise.all(Array.from({ length: 8 }, worker)), 30_000, '1,000 simulations');
    const events = await nextEvents(client, 1000, 10_000);
    assert.deepEqual(
      events.map((e) => e.seq),
      Array.from({ length: 1000 }, (_, i) => first + i),
    );
    await client.close();
  });
});

async function nextNonEvent(client: WsClient): Promise<ServerFrame> {
  for (;;) {
    const frame = await client.next();
    if (frame.type !== 'event' && frame.type !== 'heartbeat') return frame;
  }
}

describe('WebSocket hello timeout', async () => {
  // A short timeout of its own, so that no other test races it.
  const server = await startTestServer({ helloTimeoutMs: 100 });

  it('closes with 4408 when no hello arrives in time', async () => {
    const client = await WsClient.open(server);
    const frame = await client.next();
    assert.deepEqual(frame, { type: 'error', code: 'hello-timeout', message: 'No hello frame in time' });
    assert.equal((await client.closedWith()).code, CloseCode.helloTimeout);
  });

  it('does not time out a hello that came in time while its token is still being checked', async () => {
    // The check outlasts the hello's time (a cold consultant lookup on a busy database).
    const verify = server.auth.verify.bind(server.auth);
    let checked!: () => void;
    const held = new Promise<void>((resolve) => (checked = resolve));
    server.auth.verify = async (token) => {
      setTimeout(checked, 300);
      await held;
      return verify(token);
    };
    try {
      const client = await WsClient.connect(server, await tokenFor(server, 'c-story'));
      await client.close();
    } finally {
      server.auth.verify = verify;
    }
  });
});

describe('WebSocket heartbeats', async () => {
  const server = await startTestServer({ heartbeatMs: 40 });

  it('sends heartbeats with the current epoch and seq on one shared timer', async () => {
    const a = await WsClient.connect(server, await tokenFor(server, 'c-story'));
    const b = await WsClient.connect(server, await tokenFor(server, 'c-other'));
    const snapshotA = await a.next();
    await b.next();
    const { seq } = await simulate(server, 'c-story', { action: 'payment' });
    await nextEvents(a, 1);
    const beat = await a.next(2000);
    assert.equal(beat.type, 'heartbeat');
    if (beat.type !== 'heartbeat' || snapshotA.type !== 'snapshot') return;
    assert.equal(beat.seq, seq);
    assert.equal(beat.epoch, snapshotA.epoch);
    assert.equal(beat.serverTime, server.clock.now());
    const beatB = await b.next(2000);
    assert.equal(beatB.type === 'heartbeat' && beatB.seq, 0);
    await a.close();
    await b.close();
  });
});

describe('WebSocket slow consumer', async () => {
  // A small limit of its own, so that a paused client passes it after a few hundred events.
  const maxBufferedBytes = 256 * 1024;
  const server = await startTestServer({ maxBufferedBytes });
  const token = await tokenFor(server, 'c-story');

  async function metric(name: string): Promise<number> {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(name + ' '));
    assert.ok(line, `${name} in /metrics`);
    return Number(line.slice(name.length + 1));
  }

  it('a client that stops reading shows as a delivery stall, is closed with 1013 once too far behind, and resumes without losing an event', async () => {
    const client = await WsClient.connect(server, token);
    const snapshot = await client.next();
    assert.equal(snapshot.type, 'snapshot');
    if (snapshot.type !== 'snapshot') return;
    // The client's process stops reading: the socket's buffers fill, then the server's queue.
    const socket = (client.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();
    const text = 'A long message, so that the buffers fill in fewer events. '.repeat(30);
    let last = snapshot.seq;
    let stalledSeconds = 0;
    // Committed in this process, for speed: the kernel holds megabytes before the server queues.
    for (let i = 0; i < 8_000 && (await metric('fg_connections{transport="websocket"}')) > 0; i += 25) {
      for (let j = 0; j < 25; j++)
        last = (await commit(server.domain, { consultantId: 'c-story', action: 'message', text })).seq;
      stalledSeconds = Math.max(stalledSeconds, await metric('fg_oldest_unsent_event_age_seconds'));
    }
    assert.equal(await metric('fg_connections{transport="websocket"}'), 0, 'the server let the client go');
    assert.ok(stalledSeconds > 0, 'the alarm gauge showed events committed and not yet written');
    assert.equal(await metric('fg_oldest_unsent_event_age_seconds'), 0, 'a closed client stalls nothing');
    assert.equal(await metric('fg_websocket_closes_total{code="1013"}'), 1);

    // A dead client is let go of: however much of the queue it might still read, resuming
    // from the last event it had, it is sent every event since, once each.
    client.ws.terminate();
    const again = await WsClient.connect(server, token, { epoch: snapshot.epoch, seq: snapshot.seq });
    const events = await nextEvents(again, last - snapshot.seq);
    assert.deepEqual(
      events.map((e) => e.seq),
      Array.from({ length: last - snapshot.seq }, (_, i) => snapshot.seq + 1 + i),
    );
    assert.deepEqual(again.drain(), [], 'nothing twice');
    await again.close();
  });
});

describe('WebSocket slow consumer that keeps pinging', async () => {
  // No room at all past what the kernel holds: the first frame left queued is already too much.
  const server = await startTestServer({ maxBufferedBytes: 1 });
  const token = await tokenFor(server, 'c-story');

  it('is closed with 1013 by its own ping once too far behind, not sent pongs without end', async () => {
    const client = await WsClient.connect(server, token);
    assert.equal((await client.next()).type, 'snapshot');
    const socket = (client.ws as unknown as { _socket: { pause(): void } })._socket;
    socket.pause();
    const text = 'A long message, so that the buffers fill in fewer events. '.repeat(30);
    // Events until one stays queued on the server: the kernel's buffers are full.
    for (let i = 0; i < 8_000 && server.hub.oldestUnsentMs() === 0; i++) {
      await commit(server.domain, { consultantId: 'c-story', action: 'message', text });
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.ok(server.hub.oldestUnsentMs() > 0, 'an event stays queued for the client');
    assert.equal(server.hub.connectionsByTransport().websocket, 1, 'no event came after it, so still open');
    // From now on the client only pings. Each pong would queue behind the rest, for as long
    // as its token lasts; the ping finds it too far behind instead.
    client.send({ type: 'ping', id: 'p1' });
    const deadline = performance.now() + 15_000;
    while (server.hub.connectionsByTransport().websocket > 0 && performance.now() < deadline)
      await new Promise((resolve) => setImmediate(resolve));
    assert.equal(server.hub.connectionsByTransport().websocket, 0, 'the server let the client go');
    assert.match(
      await (await fetch(`${server.url}/metrics`)).text(),
      /fg_websocket_closes_total\{code="1013"\} 1/,
    );
    client.ws.terminate();
  });
});

describe('connection limits', async () => {
  // Small limits of its own: two live connections per consultant, three sockets without a hello.
  const server = await startTestServer({ maxConnectionsPerConsultant: 2, maxAwaitingHello: 3 });
  const token = await tokenFor(server, 'c-story');

  it('one consultant holds at most so many live connections: the next WebSocket gets 4429, an SSE stream 429', async () => {
    const first = await WsClient.connect(server, token);
    const second = await WsClient.connect(server, token);
    const third = await WsClient.open(server);
    third.send({ type: 'hello', token, since: null });
    assert.deepEqual(await third.next(), {
      type: 'error',
      code: 'rate-limited',
      message: 'Over 2 connections for this consultant',
    });
    assert.equal((await third.closedWith()).code, CloseCode.rateLimited);
    const sse = await SseClient.connect(server, token);
    assert.equal(sse.status, 429);
    assert.equal(sse.response.headers.get('retry-after'), '5');
    // Another consultant is not held back, and a connection that ends frees its place.
    await (await WsClient.connect(server, await tokenFor(server, 'c-empty'))).close();
    await first.close();
    await untilSubscribed(server, 'c-story', 1);
    await (await WsClient.connect(server, token)).close();
    await second.close();
  });

  it('sockets that have not said hello are a bounded number: past it the upgrade is refused with 503', async () => {
    const silent = await Promise.all([1, 2, 3].map(() => WsClient.open(server)));
    const refused = new WebSocket(`${server.url.replace(/^http/, 'ws')}/api/ws`);
    const answer = await Promise.race([
      once(refused, 'open').then(() => 'opened'),
      once(refused, 'unexpected-response').then(([, response]) => (response as IncomingMessage).statusCode),
    ]);
    assert.equal(answer, 503);
    // One of them says hello: there is room again.
    silent[0]!.send({ type: 'hello', token, since: null });
    assert.equal((await silent[0]!.next()).type, 'welcome');
    const next = await WsClient.open(server);
    for (const client of [...silent, next]) await client.close();
  });
});
