// GET /api/stream: Server-Sent Events with the token in a header and the cursor in Last-Event-ID.
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import {
  bearer,
  nextEvents,
  simulate,
  SseClient,
  startTestServer,
  tokenFor,
  untilSubscribed,
  within,
} from './helpers.js';
import type { Storage } from '../src/db/storage.js';
import { busy } from '../src/errors.js';
import { simulate as commit } from '../src/simulate.js';

describe('SSE', async () => {
  const server = await startTestServer({ heartbeatMs: 50 });
  const token = await tokenFor(server, 'c-story');

  it('streams welcome then a snapshot, each as event/id/data with the protocol headers', async () => {
    const sse = await SseClient.connect(server, token);
    assert.equal(sse.status, 200);
    assert.match(sse.response.headers.get('content-type') ?? '', /^text\/event-stream/);
    // The stream carries the dashboard (family names, message previews): never stored, like
    // every other answer of the API.
    assert.equal(sse.response.headers.get('cache-control'), 'no-store');
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

  it('refuses HEAD on the stream and the poll (405), subscribing nothing: HEAD requests end at once, yet each held a connection until its token expired', async () => {
    for (const path of ['/api/stream', '/api/changes?wait=25']) {
      for (let i = 0; i < 3; i++) {
        const response = await fetch(`${server.url}${path}`, { method: 'HEAD', headers: bearer(token) });
        assert.equal(response.status, 405, path);
        assert.equal(response.headers.get('allow'), 'GET');
      }
    }
    assert.equal(server.hub.subscriberCount('c-story'), 0);
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

/**
 * Holds the storage's next read transaction (a connection catching up, a snapshot) before it
 * begins, as a slow database would, until released. Writes go on meanwhile.
 */
function holdNextRead(storage: Storage): { waiting: Promise<void>; release(): void } {
  const original = storage.read;
  const read = original.bind(storage);
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let waiting!: () => void;
  const isWaiting = new Promise<void>((resolve) => (waiting = resolve));
  storage.read = async (fn) => {
    storage.read = original;
    waiting();
    await released;
    return read(fn);
  };
  return { waiting: isWaiting, release };
}

describe('SSE heartbeats', async () => {
  // Heartbeats only when the test beats the hub.
  const server = await startTestServer({ heartbeatMs: 60_000 });
  const token = await tokenFor(server, 'c-story');

  it('none before the welcome, however long catching up takes, and each with the id of where the stream stands', async () => {
    // Another connection of the consultant: events committed now reach the hub at once.
    const other = await SseClient.connect(server, token);
    await other.nextMessage();
    const res = await fetch(`${server.url}/api/dashboard`, { headers: bearer(token) });
    const dashboard = (await res.json()) as { epoch: string; seq: number };
    const from = `${dashboard.epoch}:${dashboard.seq}`;
    const catchUp = holdNextRead(server.storage);
    // The answer comes once the stream has caught up.
    const connecting = SseClient.connect(server, token, from);
    await within(catchUp.waiting, 3000, 'the catch-up read');
    // While the new stream catches up, an event moves the log's head past its client, and a
    // heartbeat comes.
    const { seq } = await simulate(server, 'c-story', { action: 'book', familyName: 'The Novaks' });
    server.hub.beat();
    catchUp.release();

    const sse = await connecting;
    const welcome = await sse.nextMessage();
    assert.equal(
      welcome.event,
      'welcome',
      `nothing before the welcome, got ${welcome.event} id ${welcome.id}`,
    );
    assert.equal(welcome.id, from);
    const event = await sse.nextMessage();
    assert.equal(event.event, 'event');
    assert.equal(event.id, `${dashboard.epoch}:${seq}`);
    server.hub.beat();
    const beat = await sse.nextMessage();
    assert.equal(beat.event, 'heartbeat');
    assert.equal(beat.id, `${dashboard.epoch}:${seq}`);
    assert.deepEqual(JSON.parse(beat.data), {
      type: 'heartbeat',
      epoch: dashboard.epoch,
      seq,
      serverTime: server.clock.now(),
    });
    sse.close();
    other.close();
  });

  it('a database that fails the catch-up read is a 503 with Retry-After, not an empty stream, and leaves no subscription', async () => {
    const other = await tokenFor(server, 'c-empty');
    const read = server.storage.read;
    server.storage.read = async () => {
      server.storage.read = read;
      throw busy();
    };
    const refused = await SseClient.connect(server, other);
    assert.equal(refused.status, 503);
    assert.equal(refused.response.headers.get('retry-after'), '1');
    assert.equal(((await refused.response.json()) as { error: string }).error, 'busy');
    assert.equal(server.hub.subscriberCount('c-empty'), 0);
    const sse = await SseClient.connect(server, other);
    assert.equal(sse.status, 200);
    assert.equal((await sse.nextMessage()).event, 'welcome');
    assert.equal((await sse.nextMessage()).event, 'snapshot');
    sse.close();
  });

  it('a node that loses its database ends its streams with an overloaded error frame', async () => {
    const sse = await SseClient.connect(server, token);
    await sse.nextMessage();
    const snapshot = await sse.nextMessage();
    server.hub.dropAll();
    const message = await sse.nextMessage();
    assert.equal(message.event, 'error');
    assert.equal(message.id, snapshot.id);
    assert.deepEqual(JSON.parse(message.data), {
      type: 'error',
      code: 'overloaded',
      message: 'This server lost its database; reconnect',
    });
    await sse.ended;
    assert.equal(sse.messages.ended, true);
  });

  it("after a log reset, a heartbeat before the new log's snapshot keeps the id of the old log", async () => {
    const sse = await SseClient.connect(server, token);
    await sse.nextMessage();
    const snapshot = await sse.nextMessage();
    assert.equal(snapshot.event, 'snapshot');
    const resnapshot = holdNextRead(server.storage);
    const head = await server.resetLog('c-story');
    await within(resnapshot.waiting, 3000, "the new log's snapshot read");
    // The hub knows the new log; this stream has not sent its snapshot yet.
    server.hub.beat();
    resnapshot.release();

    const beat = await sse.nextMessage();
    assert.equal(beat.event, 'heartbeat');
    assert.equal(beat.id, snapshot.id, 'a client resuming from it gets the new snapshot');
    assert.deepEqual(JSON.parse(beat.data), {
      type: 'heartbeat',
      epoch: head.epoch,
      seq: head.seq,
      serverTime: server.clock.now(),
    });
    const fresh = await sse.nextMessage();
    assert.equal(fresh.event, 'snapshot');
    assert.equal(fresh.id, `${head.epoch}:${head.seq}`);
    sse.close();
  });
});

/** The server's side of the next request for `path` that this process serves. */
function serverSocketOf(path: string): Promise<Socket> {
  return new Promise((resolve) => {
    const channel = 'http.server.request.start';
    const onRequest = (message: unknown): void => {
      const { request, socket } = message as { request: IncomingMessage; socket: Socket };
      if (request.url !== path) return;
      unsubscribe(channel, onRequest);
      resolve(socket);
    };
    subscribe(channel, onRequest);
  });
}

describe('SSE slow consumer', async () => {
  // A small limit of its own, so that a paused client passes it after a few hundred events.
  const server = await startTestServer({ maxBufferedBytes: 256 * 1024 });
  const token = await tokenFor(server, 'c-story');

  it('a client that stops reading is cut off once too far behind: the server closes its socket, and it resumes without losing an event', async () => {
    const serverSide = serverSocketOf('/api/stream');
    const client = connect(server.port, '127.0.0.1');
    let received = '';
    client.setEncoding('utf8');
    client.write(
      `GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: Bearer ${token}\r\n\r\n`,
    );
    const snapshotId = await within(
      new Promise<string>((resolve) => {
        const onData = (text: string): void => {
          received += text;
          const found = /event: snapshot\nid: (\S+)\n/.exec(received);
          if (!found) return;
          client.off('data', onData);
          resolve(found[1]!);
        };
        client.on('data', onData);
      }),
      3000,
      'the snapshot',
    );
    const [epoch, snapshotSeq] = [snapshotId.split(':')[0]!, Number(snapshotId.split(':')[1])];
    const clientClosed = once(client, 'close');
    const serverSocket = await serverSide;
    const serverClosed = once(serverSocket, 'close');

    // The client's process stops reading: the sockets' buffers fill, then the server's queue.
    client.pause();
    const text = 'A long message, so that the buffers fill in fewer events. '.repeat(30);
    let last = snapshotSeq;
    // Committed in this process, for speed: the kernel holds megabytes before the server queues.
    for (let i = 0; i < 20_000 && server.hub.subscriberCount('c-story') > 0; i++) {
      last = (await commit(server.domain, { consultantId: 'c-story', action: 'message', text })).seq;
    }
    assert.equal(server.hub.subscriberCount('c-story'), 0, 'the server let the client go');
    // Let go of for real: its socket is closed while the client still does not read, rather
    // than kept open until the client takes everything queued for it.
    await within(serverClosed, 3000, "the server to close the stalled stream's socket");

    // Reading again, the client gets what its buffers held and then the close: the response
    // was cut short, never finished (a chunked response ends with a zero-length chunk).
    client.on('data', (chunk: string) => (received += chunk));
    client.resume();
    await within(clientClosed, 3000, 'the client to see the connection closed');
    assert.ok(!received.endsWith('\r\n0\r\n\r\n'), 'the response was cut, not finished');

    // Resuming from the last event it had, it is sent every event since, once each.
    const again = await SseClient.connect(server, token, snapshotId);
    assert.equal((await again.nextMessage()).event, 'welcome');
    const events = await nextEvents(again, last - snapshotSeq);
    assert.deepEqual(
      events.map((e) => [e.epoch, e.seq]),
      Array.from({ length: last - snapshotSeq }, (_, i) => [epoch, snapshotSeq + 1 + i]),
    );
    assert.deepEqual(again.drain(), [], 'nothing twice');
    again.close();
  });
});

describe('SSE slow consumer with no events coming', async () => {
  // No room at all past what the kernel holds: the first frame left queued is already too much.
  const server = await startTestServer({ maxBufferedBytes: 1 });
  const token = await tokenFor(server, 'c-story');

  /**
   * A stream whose client read its snapshot, then stopped reading, with events committed
   * until some stay queued on the server (the kernel's buffers full).
   */
  async function stalled(bearer: string) {
    const serverSide = serverSocketOf('/api/stream');
    const client = connect(server.port, '127.0.0.1');
    client.setEncoding('utf8');
    client.write(
      `GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: Bearer ${bearer}\r\n\r\n`,
    );
    let received = '';
    await within(
      new Promise<void>((resolve) => {
        const onData = (text: string): void => {
          received += text;
          if (!received.includes('event: snapshot\n')) return;
          client.off('data', onData);
          resolve();
        };
        client.on('data', onData);
      }),
      3000,
      'the snapshot',
    );
    const serverSocket = await serverSide;
    const serverClosed = once(serverSocket, 'close');
    client.pause();
    const text = 'A long message, so that the buffers fill in fewer events. '.repeat(30);
    for (let i = 0; i < 8_000 && serverSocket.writableLength === 0; i++) {
      await commit(server.domain, { consultantId: 'c-story', action: 'message', text });
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.ok(serverSocket.writableLength > 0, 'an event stays queued for the client');
    return { client, serverClosed };
  }

  it('is cut off by the next heartbeat once too far behind, not sent heartbeats without end', async () => {
    const { client, serverClosed } = await stalled(token);
    assert.equal(server.hub.subscriberCount('c-story'), 1, 'no event came after it, so still streaming');
    // Quiet from now on: each heartbeat would queue behind the rest, for as long as the token
    // lasts; the heartbeat finds the stream too far behind instead.
    server.hub.beat();
    assert.equal(server.hub.subscriberCount('c-story'), 0, 'the server let the client go');
    await within(serverClosed, 3000, "the server to close the stalled stream's socket");
    client.destroy();
  });

  it('a stream that ends (its token expired) is closed within seconds though its client stopped reading, not kept to drain for ever', async () => {
    const { client, serverClosed } = await stalled(await tokenFor(server, 'c-story', 60));
    // The token expires: the stream ends with its error frame, queued behind the rest.
    server.clock.advance(61_000);
    assert.equal(server.hub.subscriberCount('c-story'), 0, 'the stream ended');
    await within(serverClosed, 5000, "the server to close the ended stream's socket");
    client.destroy();
  });
});
