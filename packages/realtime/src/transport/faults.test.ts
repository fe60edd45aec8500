import { expect } from '@open-wc/testing';
import type { SimulateResponse } from '@fg/protocol';
import { expectCurrent, harness, type Harness } from '../test/harness.js';
import { env, fault, serverProcess, serverSnapshot, simulate, token, until } from '../test/server.js';

const CONSULTANT = 'c-story';

/** Every WebSocket the client creates, and how many were alive at once (from creation to `close`). */
class CountingWebSocket extends WebSocket {
  static live = 0;
  static maxLive = 0;
  static created = 0;
  constructor(url: string | URL, protocols?: string | string[]) {
    super(url, protocols);
    CountingWebSocket.created++;
    CountingWebSocket.live++;
    CountingWebSocket.maxLive = Math.max(CountingWebSocket.maxLive, CountingWebSocket.live);
    this.addEventListener('close', () => CountingWebSocket.live--);
  }
}

describe('bad input and broken connections, through the fault proxy', () => {
  let h: Harness | undefined;
  const originalWarn = console.warn;
  beforeEach(async () => {
    console.warn = () => {};
    await fault({ reset: true });
  });
  afterEach(async () => {
    console.warn = originalWarn;
    h?.close();
    h = undefined;
    await fault({ reset: true });
  });

  async function liveOn(transports?: Array<'websocket' | 'sse' | 'polling'>): Promise<Harness> {
    h = harness({ endpoint: env.proxyUrl, transports });
    const { client } = h;
    await until(() => client.status === 'live' && client.state.snapshot !== null, 'live');
    return h;
  }

  /** After trouble: the client reconnects (its retries wait on the manual clock) and is current again. */
  async function recovers(h: Harness): Promise<void> {
    await h.clock.advance(1000);
    await until(() => h.client.status === 'live', 'live again');
    const { seq } = await simulate(CONSULTANT, 'associate-family', { familyName: 'After the trouble' });
    await until(() => h.client.state.snapshot!.seq >= seq, `seq ${seq}`);
    await expectCurrent(h.client);
  }

  it('never holds two live WebSockets, across 100 forced reconnects with online/visible checks in between', async function () {
    // 100 real reconnects: 1.4-3.3 s on our machine; room for a much slower one.
    this.timeout(90_000);
    h = harness({ endpoint: env.proxyUrl, transports: ['websocket'] }, { WebSocket: CountingWebSocket });
    const { client, clock } = h;
    await until(() => client.status === 'live', 'live');
    for (let i = 0; i < 100; i++) {
      await fault({ action: 'cut', kind: 'websocket' });
      await until(() => client.status !== 'live', 'drop noticed');
      // Everything that may trigger a connect, at once: the retry timer, `online`, a visible page.
      window.dispatchEvent(new Event('online'));
      await clock.advance(1000);
      await until(() => client.status === 'live', `live after reconnect ${i + 1}`);
    }
    const proxy = await fault();
    expect(CountingWebSocket.maxLive).to.equal(1);
    expect(proxy.maxLiveWebSockets).to.equal(1);
    expect(CountingWebSocket.created).to.equal(101);
    expect(client.metrics().counters.reconnects).to.be.at.least(100);
    await expectCurrent(client);
  });

  for (const kind of ['websocket', 'sse'] as const) {
    const wire = (frame: string) => (kind === 'websocket' ? frame : `event: event\ndata: ${frame}\n\n`);

    it(`${kind}: malformed JSON is dropped, counted, reported once, and resynced`, async () => {
      const { client, errors } = await liveOn([kind]);
      const before = client.state.snapshot;
      expect(
        (await fault({ action: 'inject', kind, frame: wire('{"type":"event","seq":') })).affected,
      ).to.equal(1);
      await until(() => errors.length > 0, 'fg-error');
      expect(errors.map((e) => e.code)).to.deep.equal(['malformed-frame']);
      expect(client.state.snapshot).to.equal(before);
      expect(client.metrics().counters.invalidFrames).to.equal(1);
      await recovers(h!);
    });

    it(`${kind}: a frame that fails the schema is dropped the same way`, async () => {
      const { client, errors } = await liveOn([kind]);
      const bad = JSON.stringify({ type: 'event', epoch: 'x', seq: -4, kind: 'nonsense' });
      await fault({ action: 'inject', kind, frame: wire(bad) });
      await until(() => errors.length > 0, 'fg-error');
      expect(errors.map((e) => e.code)).to.deep.equal(['invalid-frame']);
      expect(client.metrics().counters.invalidFrames).to.equal(1);
      await recovers(h!);
    });
  }

  it('long-poll: an answer without frames is a bad frame, met with a backoff, not asked again at once', async () => {
    let emptyAnswers = 1;
    const fetchThrough: typeof fetch = (input, init) =>
      String(input).includes('/api/changes') && emptyAnswers-- === 0
        ? Promise.resolve(Response.json({ frames: [] }))
        : fetch(input, init);
    h = harness({ endpoint: env.proxyUrl, transports: ['polling'] }, { fetch: fetchThrough });
    const { client, errors } = h;
    // The first poll answers the snapshot; the next, asked at once, gets the empty answer.
    await until(() => errors.length > 0, 'fg-error');
    expect(client.state.snapshot).not.to.equal(null);
    expect(errors.map((e) => e.code)).to.deep.equal(['invalid-frame']);
    await recovers(h);
  });

  it("another consultant's data injected into the stream never reaches the state", async () => {
    const { client, errors } = await liveOn(['websocket']);
    const foreign = await serverSnapshot('c-other');
    const before = client.state.snapshot;
    await fault({
      action: 'inject',
      kind: 'websocket',
      frame: JSON.stringify({ type: 'snapshot', ...foreign, seq: 1e6 }),
    });
    await until(() => errors.length > 0, 'fg-error');
    expect(errors.map((e) => e.code)).to.deep.equal(['foreign-frame']);
    expect(client.state.snapshot).to.equal(before);
    expect(client.state.snapshot!.consultant.id).to.equal(CONSULTANT);
    await recovers(h!);
  });

  it('an event out of order (a gap) is not applied; the client resumes and catches up', async () => {
    const { client, errors } = await liveOn(['websocket']);
    const { epoch, seq } = client.state.snapshot!;
    const ahead = {
      type: 'event',
      epoch,
      seq: seq + 2,
      at: Date.now(),
      kind: 'task.created',
      subject: { type: 'task', id: 't-ghost' },
      patch: { counts: { ...client.state.snapshot!.counts, tasksDueToday: 99 } },
    };
    await fault({ action: 'inject', kind: 'websocket', frame: JSON.stringify(ahead) });
    await until(() => errors.length > 0, 'fg-error');
    expect(errors.map((e) => e.code)).to.deep.equal(['sequence-gap']);
    expect(client.state.snapshot!.counts.tasksDueToday).not.to.equal(99);
    expect(client.metrics().counters.gaps).to.equal(1);
    await recovers(h!);
  });

  it('a server that accepts the WebSocket and closes it at once: counted, reported, served over SSE meanwhile', async () => {
    await fault({ websocket: 'accept-close' });
    const { client, errors } = await liveOn();
    expect(client.state.transport).to.equal('sse');
    expect(errors.map((e) => e.code)).to.deep.equal(['transport-failed']);
    expect(client.metrics().counters.reconnects).to.be.at.least(1);
    await expectCurrent(client);
  });

  for (const transport of ['websocket', 'sse', 'polling'] as const) {
    it(`${transport}: a server that forbids the consultant (403, 4403) gets one fresh token, then the session ends`, async () => {
      await fault({ websocket: 'forbid', stream: 'forbid', changes: 'forbid' });
      let tokens = 0;
      h = harness({
        endpoint: env.proxyUrl,
        transports: [transport],
        getToken: () => {
          tokens += 1;
          return token(CONSULTANT);
        },
      });
      await until(() => h!.client.status === 'expired', 'expired');
      expect(tokens).to.equal(2);
      expect(h.statuses).not.to.include('live');
      expect(h.client.metrics().counters.reconnects).to.be.at.most(1);
    });
  }

  it("a proxy's 403 on SSE (not the protocol's words) blocks that transport only: served over polling, the session goes on", async () => {
    await fault({ stream: 'block' });
    h = harness({ endpoint: env.proxyUrl, transports: ['sse', 'polling'] });
    await until(() => h!.client.status === 'live', 'live');
    expect(h.client.state.transport).to.equal('polling');
    expect(h.statuses).not.to.include('expired');
    expect(h.errors.map((e) => e.code)).to.deep.equal(['transport-failed']);
    await expectCurrent(h.client);
  });

  it('a stream that stalls without closing goes stale, is reported, and is replaced', async () => {
    const { client, clock, errors, statuses } = await liveOn(['sse']);
    await fault({ action: 'stall', kind: 'sse' });
    // Heartbeat (1 s on the test server) + 10 s of silence on the client's clock.
    await clock.advance(11_000);
    expect(client.status).to.equal('stale');
    expect(errors.map((e) => e.code)).to.deep.equal(['stalled']);
    await recovers(h!);
    expect(statuses.slice(-2)).to.deep.equal(['stale', 'live']);
  });

  it('the server dies mid-stream, events are written while it is down, it restarts: nothing lost, nothing twice', async () => {
    const { client, clock } = await liveOn();
    await serverProcess('kill');
    await until(() => client.status === 'reconnecting', 'reconnecting');
    // Every rung fails; the next retry waits on the (manual) clock.
    await serverProcess('start');
    const written: SimulateResponse[] = [];
    for (let i = 0; i < 3; i++)
      written.push(await simulate(CONSULTANT, 'message', { familyName: `While down ${i}`, text: 'Hi' }));
    const applied = client.metrics().counters.eventsApplied;
    const started = performance.now();
    await clock.advance(1000);
    await until(() => client.state.snapshot!.seq >= written[2]!.seq, 'caught up');
    const reconnectToCurrentMs = performance.now() - started;
    (globalThis as { fgReconnectToCurrentMs?: number[] }).fgReconnectToCurrentMs ??= [];
    (globalThis as unknown as { fgReconnectToCurrentMs: number[] }).fgReconnectToCurrentMs.push(
      reconnectToCurrentMs,
    );
    console.log(`reconnect to current after a server restart: ${reconnectToCurrentMs.toFixed(0)} ms`);
    await expectCurrent(client);
    const { counters } = client.metrics();
    expect(counters.eventsApplied - applied).to.equal(3);
    expect(counters.duplicates).to.equal(0);
    expect(counters.gaps).to.equal(0);
    expect(client.state.transport).to.equal('websocket');
  });
});
