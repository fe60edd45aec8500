import { expect } from '@open-wc/testing';
import { Limits, type SimulateResponse } from '@fg/protocol';
import { CUTS_BEFORE_FALL, PROBE_BASE_MS } from './ladder.js';
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

  /** A fetch through a proxy that cuts every long-poll held longer than `limitS` seconds, after `limitS` seconds (on the client's clock). */
  function cuttingHeldPolls(limitS: number, waits: number[]): typeof fetch {
    return (input, init) => {
      const url = new URL(String(input));
      if (!url.pathname.endsWith('/api/changes')) return fetch(input, init);
      const wait = Number(url.searchParams.get('wait'));
      waits.push(wait);
      if (wait <= limitS) return fetch(input, init);
      return new Promise((_, reject) =>
        h!.clock.setTimeout(() => reject(new TypeError('Failed to fetch')), limitS * 1000),
      );
    };
  }

  it('long-poll: a proxy that cuts held requests at 20 s costs one request: held half as long from then on, still live, nothing lost', async () => {
    const waits: number[] = [];
    h = harness({ endpoint: env.proxyUrl, transports: ['polling'] }, { fetch: cuttingHeldPolls(20, waits) });
    const { client, clock, statuses } = h;
    await until(() => client.status === 'live' && waits.length === 2, 'live, the first hold under way');
    await clock.advance(20_000);
    await until(() => waits.length === 3, 'asked again');
    const { seq } = await simulate(CONSULTANT, 'message', { familyName: 'Through the proxy', text: 'Hi' });
    await until(() => client.state.snapshot!.seq >= seq, `seq ${seq}`);
    expect(waits.slice(0, 4)).to.deep.equal([0, 25, 10, 10]);
    expect(statuses).to.deep.equal(['live']);
    expect(client.metrics().counters).to.include({ reconnects: 0, duplicates: 0, gaps: 0 });
    await expectCurrent(client);
  });

  it('long-poll: a proxy that cuts held requests within seconds makes the client fall to interval polling, and climb back only now and then', async () => {
    const waits: number[] = [];
    h = harness({ endpoint: env.proxyUrl, transports: ['polling'] }, { fetch: cuttingHeldPolls(2, waits) });
    const { client, clock, errors, statuses } = h;
    const holds = () => waits.filter((wait) => wait > 0).length;
    for (let cut = 1; cut <= CUTS_BEFORE_FALL; cut++) {
      await until(() => holds() === cut, `hold ${cut}`);
      await clock.advance(2_000);
      if (cut === CUTS_BEFORE_FALL) break;
      // The retry on the same rung waits on the clock (with no delay: random() is 0).
      await until(() => holds() > cut || clock.pending[0] === 0, `retry ${cut}`);
      await clock.advance(0);
    }
    // Each long-poll connection opens (its first request is not held), and its first hold is
    // cut; after the third, interval polling, whose requests are never held.
    await until(() => waits.length === 7, 'an interval poll');
    expect(waits).to.deep.equal([0, 25, 0, 25, 0, 25, 0]);
    // Its answer delivered, it waits for its interval.
    const polling = () => clock.pending.includes(Limits.pollIntervalMs);
    await until(polling, 'live on interval polling');
    expect(client.status).to.equal('live');
    expect(errors.map((e) => e.code)).to.deep.equal(['transport-failed']);
    await expectCurrent(client);
    // The climb back to long-polling waits one doubling of the probe delay, and its first cut
    // sends it straight back: one held request, and no `reconnecting`.
    const shown = statuses.length;
    await clock.advance(PROBE_BASE_MS);
    await until(() => holds() === CUTS_BEFORE_FALL + 1, 'the climb holds a poll');
    await clock.advance(2_000);
    await until(() => waits.length === 10 && polling(), 'back on interval polling');
    expect(waits.slice(7)).to.deep.equal([0, 25, 0]);
    expect(statuses.slice(shown)).not.to.include('reconnecting');
    expect(client.status).to.equal('live');
    await expectCurrent(client);
  });

  for (const [transport, path] of [
    ['sse', '/api/stream'],
    ['polling', '/api/changes'],
  ] as const) {
    it(`${transport}: a 429 with Retry-After: 60 is asked again 60 s later, not before`, async () => {
      let requests = 0;
      const busyOnce: typeof fetch = (input, init) => {
        if (!String(input).includes(path) || requests++ > 0) return fetch(input, init);
        const error = { error: 'rate-limited', message: 'Too many connections' };
        return Promise.resolve(Response.json(error, { status: 429, headers: { 'Retry-After': '60' } }));
      };
      h = harness({ endpoint: env.proxyUrl, transports: [transport] }, { fetch: busyOnce });
      const { client, clock } = h;
      // The retry is set for 60 s on (with no jitter, every backoff of the harness is 0).
      await until(() => clock.pending.includes(60_000), 'a retry 60 s on');
      await clock.advance(60_000 - 1);
      expect(requests).to.equal(1);
      await clock.advance(1);
      await until(() => client.status === 'live', 'live');
      await expectCurrent(client);
    });
  }

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
