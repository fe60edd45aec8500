import { expect } from '@open-wc/testing';
import { expectCurrent, harness, type Harness } from './test/harness.js';
import { advanceServerClock, env, resetLog, simulate, token, until } from './test/server.js';
import { DEFAULT_FACTORIES } from './transport/ladder.js';
import type { Rung, TransportContext } from './transport/types.js';

const CONSULTANT = 'c-story';
const SHORT_TTL_SECONDS = 120;
/** Renewed half way through (8 s), before the client's watchdog (the test server's 1 s heartbeat + 10 s) would fire on its manual clock. */
const RENEWED_TTL_SECONDS = 16;

/** The real transport of a rung, counting the connections made and which ones the client closed. */
function recorded(rung: Rung) {
  const real = DEFAULT_FACTORIES[rung];
  const record = {
    made: 0,
    closedByClient: [] as number[],
    factories: {
      [rung]: (context: TransportContext) => {
        const n = record.made++;
        const connection = real(context);
        const close = connection.close.bind(connection);
        connection.close = () => {
          record.closedByClient.push(n);
          return close();
        };
        return connection;
      },
    },
  };
  return record;
}

/**
 * After a renewal: current, and quiet since the status count `live` (no status told, no
 * error, no gap, no reconnect), on the two tokens and the two connections it took.
 */
async function expectRenewedQuietly(
  h: Harness,
  live: number,
  counts: () => { tokens: number; connections: number },
): Promise<void> {
  await expectCurrent(h.client);
  expect(h.statuses.slice(live)).to.deep.equal([]);
  expect(counts()).to.deep.equal({ tokens: 2, connections: 2 });
  expect(h.client.metrics().counters).to.include({ gaps: 0, reconnects: 0 });
  expect(h.errors).to.deep.equal([]);
}

describe('the session, against the reference server', () => {
  let h: Harness | undefined;
  afterEach(() => {
    h?.close();
    h = undefined;
  });

  for (const transport of ['websocket', 'sse', 'polling'] as const) {
    it(`${transport}: a token that expires on the live connection is replaced by a fresh one, without a gap`, async () => {
      let calls = 0;
      h = harness({
        endpoint: env.serverUrl,
        transports: [transport],
        getToken: () => (++calls === 1 ? token(CONSULTANT, SHORT_TTL_SECONDS) : token(CONSULTANT)),
      });
      const { client } = h;
      await until(() => client.status === 'live' && client.state.snapshot !== null, 'live');
      await advanceServerClock((SHORT_TTL_SECONDS + 5) * 1000);
      await until(() => calls === 2 && client.status === 'live', 'live on a fresh token');
      const { seq } = await simulate(CONSULTANT, 'book', { familyName: 'After the refresh' });
      await until(() => client.state.snapshot!.seq >= seq, `seq ${seq}`);
      await expectCurrent(client);
      expect(client.metrics().counters.gaps).to.equal(0);
    });
  }

  for (const transport of ['websocket', 'sse'] as const) {
    it(`${transport}: a token is renewed before it expires, on a second connection that takes over with nothing missed`, async () => {
      let calls = 0;
      // The real transport, told when the client closes one (the first, once the second carries frames).
      const connections = recorded(transport);
      const { closedByClient } = connections;
      h = harness(
        {
          endpoint: env.serverUrl,
          transports: [transport],
          getToken: () => (++calls === 1 ? token(CONSULTANT, RENEWED_TTL_SECONDS) : token(CONSULTANT)),
        },
        { transports: connections.factories },
      );
      const { client, statuses } = h;
      await until(() => client.status === 'live' && client.state.snapshot !== null, 'live');
      const live = statuses.length;
      // Half way through a token this short (the server's welcome says how long it has left).
      await h.clock.advance((RENEWED_TTL_SECONDS * 1000) / 2);
      await until(() => closedByClient.includes(0), 'the second connection taking over');
      expect(connections.made).to.equal(2);
      expect(calls).to.equal(2);
      // The first token's expiry passes on the server: nothing it ends is in use any more.
      await advanceServerClock((RENEWED_TTL_SECONDS + 5) * 1000);
      const { seq } = await simulate(CONSULTANT, 'book', { familyName: 'After the renewal' });
      await until(() => client.state.snapshot!.seq >= seq, `seq ${seq}`);
      await expectRenewedQuietly(h, live, () => ({ tokens: calls, connections: connections.made }));
    });
  }

  it("polling: a token is renewed before it expires, timed by its exp and the server's heartbeats", async () => {
    let calls = 0;
    // The rung that asks every 30 s and is answered at once: a heartbeat when nothing happened.
    const connections = recorded('interval');
    h = harness(
      {
        endpoint: env.serverUrl,
        transports: ['polling'],
        getToken: () => (++calls === 1 ? token(CONSULTANT, 60) : token(CONSULTANT)),
      },
      { rungs: ['interval'], transports: connections.factories },
    );
    const { client, statuses } = h;
    await until(() => client.status === 'live' && client.state.snapshot !== null, 'live');
    const live = statuses.length;
    const frames = client.metrics().counters.framesReceived;
    await h.clock.advance(30_000);
    await until(() => client.metrics().counters.framesReceived > frames, 'a heartbeat');
    // About a minute left by the server's time: renewed half way there.
    await h.clock.advance(30_000);
    await until(() => connections.closedByClient.includes(0), 'the second poll taking over');
    expect(connections.made).to.equal(2);
    // Past the first token's expiry on the server.
    await advanceServerClock(65_000);
    const { seq } = await simulate(CONSULTANT, 'book', { familyName: 'After the renewal' });
    await h.clock.advance(30_000);
    await until(() => client.state.snapshot!.seq >= seq, `seq ${seq}`);
    await expectRenewedQuietly(h, live, () => ({ tokens: calls, connections: connections.made }));
  });

  it('a token that expires with no fresh one: expired, state kept, fg-session-expired, then the login page', async () => {
    let calls = 0;
    h = harness({
      endpoint: env.serverUrl,
      loginUrl: '/login',
      getToken: () => (++calls === 1 ? token(CONSULTANT, SHORT_TTL_SECONDS) : null),
    });
    const { client, events, navigations } = h;
    const fired: CustomEvent[] = [];
    events.addEventListener('fg-session-expired', (e) => fired.push(e as CustomEvent));
    await until(() => client.status === 'live' && client.state.snapshot !== null, 'live');
    const { seq } = client.state.snapshot!;
    // (The server's time moves on: what falls due meanwhile, a consultation starting or the
    // consultant's midnight, may still reach the dashboard before the token expires.)
    await advanceServerClock((SHORT_TTL_SECONDS + 5) * 1000);
    await until(() => client.status === 'expired', 'expired');
    const kept = client.state.snapshot;
    expect(kept!.seq, 'the state is kept').to.be.at.least(seq);
    expect(fired).to.have.length(1);
    expect(fired[0]!.cancelable).to.equal(true);
    expect(navigations).to.deep.equal(['/login']);
    // Reconnecting stopped: even a long wait opens nothing, and nothing changes.
    await h.clock.advance(120_000);
    expect(client.status).to.equal('expired');
    expect(client.state.snapshot).to.equal(kept);
    expect(calls).to.equal(2);
  });

  it('markMessageRead: the read event comes back and updates the message and the unread count', async () => {
    h = harness({ endpoint: env.serverUrl });
    const { client } = h;
    await until(() => client.status === 'live' && client.state.snapshot !== null, 'live');
    const { seq } = await simulate(CONSULTANT, 'message', {
      familyName: 'The Readers',
      text: 'Please read me',
    });
    await until(() => client.state.snapshot!.seq >= seq, 'message arrived');
    const message = client.state.snapshot!.recentMessages[0]!;
    expect(message.read).to.equal(false);
    const unread = client.state.snapshot!.counts.unreadMessages;
    await client.markMessageRead(message.id);
    await until(
      () => client.state.snapshot!.recentMessages.find((m) => m.id === message.id)?.read === true,
      'read',
    );
    expect(client.state.snapshot!.counts.unreadMessages).to.equal(unread - 1);
  });

  it("markMessageRead of another consultant's message is refused", async () => {
    h = harness({ endpoint: env.serverUrl, consultant: 'c-other' });
    let error: unknown;
    await h.client.markMessageRead('m-does-not-exist').catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(Error);
  });

  it("markMessageRead fails when a 200 is not the server's answer (a captive portal's page)", async () => {
    // The connection is the server's; the POST meets a portal that answers every request with its page.
    const portal: typeof fetch = (input, init) =>
      String(input instanceof Request ? input.url : input).endsWith('/read')
        ? Promise.resolve(
            new Response('<html>Sign in to the Wi-Fi</html>', { headers: { 'Content-Type': 'text/html' } }),
          )
        : fetch(input, init);
    h = harness({ endpoint: env.serverUrl }, { fetch: portal });
    const { client } = h;
    await until(() => client.status === 'live' && client.state.snapshot !== null, 'live');
    const { seq } = await simulate(CONSULTANT, 'message', {
      familyName: 'The Portals',
      text: 'Behind a portal',
    });
    await until(() => client.state.snapshot!.seq >= seq, 'message arrived');
    let error: unknown;
    await client
      .markMessageRead(client.state.snapshot!.recentMessages[0]!.id)
      .catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(Error);
    expect((error as Error).message).to.match(/not the server's answer/);
  });

  it('a reset of the event log (new epoch) moves the client to the new log', async () => {
    h = harness({ endpoint: env.serverUrl });
    const { client } = h;
    await until(() => client.status === 'live' && client.state.snapshot !== null, 'live');
    const before = client.state.snapshot!.epoch;
    const head = await resetLog(CONSULTANT);
    expect(head.epoch).not.to.equal(before);
    await until(() => client.state.snapshot!.epoch === head.epoch, 'new epoch');
    const { seq } = await simulate(CONSULTANT, 'payment', { amountMinor: 1_000 });
    await until(() => client.state.snapshot!.seq >= seq, `seq ${seq}`);
    await expectCurrent(client);
  });
});
