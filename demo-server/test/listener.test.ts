// A node learns of events committed on another node through its LISTEN connection. When a
// NAT or load balancer between node and database drops that connection's flow without a word
// (no reset, no close: the bytes just stop), the node notices within a few
// `leaderCheckMs`, listens again and reads the logs it follows: its clients get the events
// committed meanwhile, not only once TCP keepalive gives up hours later.
import assert from 'node:assert/strict';
import { connect, createServer, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  nextEvents,
  SseClient,
  startTestServer,
  testPostgres,
  tokenFor,
  within,
  type TestServer,
} from './helpers.js';

/** One connection through the middlebox: what the client sent first, and whether it is cut. */
interface Flow {
  readonly client: Socket;
  readonly upstream: Socket;
  /** The start of what the client sent: PostgreSQL's startup packet names `application_name`. */
  startup: string;
  /** Nothing passes any more, either way, and neither end hears of it. */
  silenced: boolean;
}

interface Middlebox {
  readonly port: number;
  readonly flows: Flow[];
  /** Ends every flow and stops accepting. */
  close(): Promise<void>;
}

/** A TCP relay on a loopback port in front of `host:port`, whose flows can be silenced one by one. */
async function startMiddlebox(host: string, port: number): Promise<Middlebox> {
  const flows: Flow[] = [];
  // Half-open allowed: a silenced flow must not answer the client's FIN with its own.
  const server = createServer({ allowHalfOpen: true }, (client) => {
    const upstream = connect({ host, port, allowHalfOpen: true });
    const flow: Flow = { client, upstream, startup: '', silenced: false };
    flows.push(flow);
    client.on('data', (chunk: Buffer) => {
      if (flow.startup.length < 1024) flow.startup += chunk.toString('latin1');
      if (!flow.silenced) upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!flow.silenced) client.write(chunk);
    });
    client.on('end', () => flow.silenced || upstream.end());
    upstream.on('end', () => flow.silenced || client.end());
    client.on('close', () => flow.silenced || upstream.destroy());
    upstream.on('close', () => flow.silenced || client.destroy());
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    flows,
    async close() {
      for (const flow of flows) {
        flow.client.destroy();
        flow.upstream.destroy();
      }
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('a LISTEN connection whose flow is dropped silently', () => {
  const LEADER_CHECK_MS = 200;
  const consultant = 'c-empty';
  let box: Middlebox;
  /** Holds the client; reaches the database through the middlebox. */
  let a: TestServer;
  /** Commits the events. */
  let b: TestServer;
  before(async () => {
    const pg = await testPostgres();
    b = await startTestServer({
      backend: 'postgres',
      nodeName: 'node-b',
      leaderCheckMs: LEADER_CHECK_MS,
      keepAfter: true,
    });
    box = await startMiddlebox(pg.host, pg.port);
    a = await startTestServer({
      databaseUrl: b.databaseUrl.replace(`:${pg.port}/`, `:${box.port}/`),
      nodeName: 'node-a',
      leaderCheckMs: LEADER_CHECK_MS,
      keepAfter: true,
    });
  });
  after(async () => {
    // A node never hears from a silenced flow, not even the answer to its goodbye.
    for (const flow of box?.flows.filter((f) => f.silenced) ?? []) {
      flow.client.destroy();
      flow.upstream.destroy();
    }
    await a?.close();
    await b?.close();
    await box?.close();
  });

  it('is noticed within a few leaderCheckMs: events committed on another node reach the client', async () => {
    const listens = (): Flow[] => box.flows.filter((flow) => flow.startup.includes('node-a-listen'));
    assert.equal(listens().length, 1, 'node A listens through the middlebox');
    const sse = await SseClient.connect(a, await tokenFor(a, consultant));
    try {
      assert.equal(sse.status, 200);
      assert.equal((await sse.next()).type, 'welcome');
      assert.equal((await sse.next()).type, 'snapshot');

      const first = await b.domain.addTask(consultant, { title: 'before the drop' });
      const [received] = await nextEvents(sse, 1);
      assert.equal(received!.seq, first.seq, 'signalled to node A through its LISTEN connection');

      listens()[0]!.silenced = true;
      const second = await b.domain.addTask(consultant, { title: 'after the drop' });
      const third = await b.domain.addTask(consultant, { title: 'and another' });
      const events = await within(
        nextEvents(sse, 2),
        15 * LEADER_CHECK_MS,
        'the events committed on node B after the drop',
      );
      assert.deepEqual(
        events.map((e) => e.seq),
        [second.seq, third.seq],
      );
      assert.equal(listens().length, 2, 'node A listens again, on a new connection');
      assert.equal((await fetch(`${a.url}/healthz`)).status, 200);
    } finally {
      sse.close();
    }
  });
});
