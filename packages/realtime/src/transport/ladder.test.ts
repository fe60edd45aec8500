import { expect } from '@open-wc/testing';
import { createDashboardClient } from '../client.js';
import type { ClientErrorDetail, ConnectionStatus, DashboardClient } from '../types.js';
import {
  CUTS_BEFORE_FALL,
  HEALTHY_SPELL_MS,
  OPEN_TIMEOUT_MS,
  PING_TIMEOUT_MS,
  PROBE_BASE_MS,
  RENEW_BEFORE_MS,
  RESTART_WINDOW_MS,
  TOKEN_TIMEOUT_MS,
} from './ladder.js';
import { BACKOFF_BASE_MS, BACKOFF_MAX_MS, RETRY_AFTER_MAX_MS, fullJitter, retryAfterMs } from './backoff.js';
import { WAKE_TICK_MS } from './watchdog.js';
import type { Rung } from './types.js';
import { ManualClock } from '../test/manual-clock.js';
import { fakeJwt, fakeTransports, type FakeTransport } from '../test/fake-transport.js';
import { booking, heartbeat, snapshotFrame } from '../test/frames.js';
import { until } from '../test/server.js';

/** A page-like target for `online`/`offline` and `visibilitychange`. */
class FakeDocument extends EventTarget {
  visibilityState: DocumentVisibilityState = 'visible';
}

function setup(
  options: {
    rungs?: Rung[];
    random?: number;
    tokens?: Array<string | null | Promise<string | null>>;
    loginUrl?: string;
  } = {},
) {
  const clock = new ManualClock();
  const fakes = fakeTransports();
  const window = new EventTarget();
  const document = new FakeDocument();
  const events = new EventTarget();
  const errors: ClientErrorDetail[] = [];
  const statuses: ConnectionStatus[] = [];
  const navigations: string[] = [];
  const tokens = options.tokens ?? [];
  let tokenCalls = 0;
  events.addEventListener('fg-error', (e) => errors.push((e as CustomEvent<ClientErrorDetail>).detail));
  const client: DashboardClient = createDashboardClient(
    {
      endpoint: 'https://fg.example.com',
      getToken: () => {
        tokenCalls++;
        return tokens.length ? tokens.shift()! : fakeJwt('c-story', tokenCalls);
      },
      tabSync: false,
      loginUrl: options.loginUrl,
      eventTarget: events,
    },
    {
      clock,
      random: () => options.random ?? 0,
      transports: fakes.factories,
      rungs: options.rungs ?? ['websocket', 'sse', 'longpoll', 'interval'],
      window,
      document: document as unknown as Document,
      navigate: (url) => navigations.push(url),
    },
  );
  client.addEventListener('status', () => statuses.push(client.status));
  return {
    client,
    clock,
    fakes,
    window,
    document,
    events,
    errors,
    statuses,
    navigations,
    get tokenCalls() {
      return tokenCalls;
    },
    /** Waits for transport number `n` (0-based) to be created. */
    async transport(n: number): Promise<FakeTransport> {
      await until(() => fakes.created.length > n, `transport #${n}`);
      return fakes.created[n]!;
    },
  };
}

/** What the server sends before it closes a connection whose token it refused. */
const refusal = { type: 'error', code: 'unauthenticated', message: 'The token was refused' } as const;

/** A welcome whose token expires at `tokenExpiresAt`, sent at `serverTime`; heartbeats 10 minutes apart. */
const welcomeFrame = (seq: number, tokenExpiresAt: number, serverTime: number) =>
  ({
    type: 'welcome',
    consultantId: 'c-story',
    epoch: 'e1',
    seq,
    heartbeatMs: 600_000,
    tokenExpiresAt,
    serverTime,
  }) as const;

describe('fullJitter', () => {
  it('draws uniformly below a ceiling that doubles from 0.5 s and stops at 20 s', () => {
    const ceilings = Array.from({ length: 8 }, (_, n) => fullJitter(n, () => 0.999_999) + 1);
    expect(ceilings).to.deep.equal([500, 1000, 2000, 4000, 8000, 16000, 20000, 20000]);
    expect(fullJitter(3, () => 0)).to.equal(0);
    expect(BACKOFF_BASE_MS).to.equal(500);
    expect(BACKOFF_MAX_MS).to.equal(20_000);
  });
});

describe('retryAfterMs', () => {
  it('reads delay-seconds and HTTP-dates (against the server time given), caps at 5 min, and takes anything else as none', () => {
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    expect(retryAfterMs('60', now)).to.equal(60_000);
    expect(retryAfterMs(' 0 ', now)).to.equal(0);
    expect(retryAfterMs('Wed, 21 Oct 2015 07:29:30 GMT', now)).to.equal(90_000);
    expect(retryAfterMs('Wed, 21 Oct 2015 07:27:00 GMT', now), 'a date past').to.equal(0);
    expect(retryAfterMs('86400', now)).to.equal(RETRY_AFTER_MAX_MS);
    expect(RETRY_AFTER_MAX_MS).to.equal(5 * 60_000);
    for (const value of [null, undefined, '', 'soon', '-5'])
      expect(retryAfterMs(value, now), String(value)).to.equal(0);
  });
});

describe('Ladder (with hand-driven transports)', () => {
  let t: ReturnType<typeof setup>;

  /** After a refused token, the next connection (on the third token asked for) opens: the session went on. */
  async function expectSessionGoesOn() {
    const next = await t.transport(1);
    expect(t.tokenCalls).to.equal(3);
    next.welcome();
    expect(t.client.status).to.equal('live');
    expect(t.statuses).not.to.include('expired');
    expect(t.navigations).to.deep.equal([]);
  }

  /** Live on long-polling, on a token with 300 s left (its `exp`), the next token a fresh one. */
  async function livePoll() {
    const now = Date.now();
    t = setup({
      rungs: ['longpoll'],
      tokens: [fakeJwt('c-story', 1, now / 1000 + 300), fakeJwt('c-story', 2)],
    });
    const poll = await t.transport(0);
    poll.send(snapshotFrame({ seq: 10, epoch: 'e1' }));
    return { now, poll };
  }

  afterEach(() => t.client.close());

  it('falls one rung at once when a transport fails before opening, reporting it once', async () => {
    t = setup();
    const ws = await t.transport(0);
    expect(ws.rung).to.equal('websocket');
    ws.fail();
    const sse = await t.transport(1);
    expect(sse.rung).to.equal('sse');
    sse.welcome();
    expect(t.client.status).to.equal('live');
    expect(t.client.state.transport).to.equal('sse');
    expect(t.errors.map((e) => e.code)).to.deep.equal(['transport-failed']);
    expect(t.statuses).to.deep.equal(['live']);
  });

  it('falls when a transport does not open within 5 s', async () => {
    t = setup();
    const ws = await t.transport(0);
    await t.clock.advance(OPEN_TIMEOUT_MS - 1);
    expect(t.fakes.created).to.have.length(1);
    await t.clock.advance(1);
    expect(ws.closedByClient).to.equal(true);
    expect((await t.transport(1)).rung).to.equal('sse');
  });

  it('gives a slow getToken() its own time: the 5 s to open start once the token is in hand', async () => {
    let answer!: (token: string) => void;
    t = setup({ tokens: [new Promise<string>((resolve) => (answer = resolve))] });
    await t.clock.advance(OPEN_TIMEOUT_MS + 1_000);
    expect(t.fakes.created).to.have.length(0);
    answer(fakeJwt('c-story'));
    const ws = await t.transport(0);
    expect(ws.rung).to.equal('websocket');
    await t.clock.advance(OPEN_TIMEOUT_MS - 1);
    expect(ws.closedByClient).to.equal(false);
    ws.welcome();
    expect(t.client.status).to.equal('live');
    expect(t.errors).to.deep.equal([]);
  });

  it('a getToken() that never answers is reported as such, and the same rung is tried again', async () => {
    t = setup({ tokens: [new Promise<string>(() => {})] });
    await t.clock.advance(TOKEN_TIMEOUT_MS - 1);
    expect(t.errors).to.deep.equal([]);
    await t.clock.advance(1);
    await until(() => t.errors.length > 0, 'a token error');
    expect(t.errors.map((e) => e.code)).to.deep.equal(['token-unavailable']);
    await t.clock.advance(0); // the backoff (random() is 0 here)
    expect((await t.transport(0)).rung).to.equal('websocket');
  });

  it('after every rung failed, backs off and starts again from the top', async () => {
    t = setup({ random: 0.999_999 });
    for (let n = 0; n < 4; n++) (await t.transport(n)).fail();
    expect(t.fakes.created.map((f) => f.rung)).to.deep.equal(['websocket', 'sse', 'longpoll', 'interval']);
    await t.clock.advance(BACKOFF_BASE_MS - 2);
    expect(t.fakes.created).to.have.length(4);
    await t.clock.advance(2);
    expect((await t.transport(4)).rung).to.equal('websocket');
    expect(t.client.status).to.equal('connecting');
  });

  it('retries a dropped connection on the same rung with full-jitter backoff, reset after a healthy spell', async () => {
    t = setup({ rungs: ['websocket'], random: 0.999_999 });
    const ws = await t.transport(0);
    // Slow heartbeats, so that a healthy spell passes without the watchdog firing.
    ws.welcome(10, 'e1', 60_000);
    ws.fail();
    const delays: number[] = [];
    for (let n = 1; n <= 5; n++) {
      delays.push(t.clock.pending[0]!);
      await t.clock.advance(delays[delays.length - 1]!);
      const retry = await t.transport(n);
      if (n < 5) retry.fail();
      else retry.welcome(10, 'e1', 60_000);
    }
    expect(delays).to.deep.equal([499, 999, 1999, 3999, 7999]);
    await t.clock.advance(HEALTHY_SPELL_MS);
    t.fakes.last.fail();
    expect(t.clock.pending[0]).to.equal(499);
  });

  it('a gap that a heartbeat suggested before a drop is left to the reconnection, which is not dropped while it opens', async () => {
    t = setup({ rungs: ['websocket'] });
    const ws = await t.transport(0);
    ws.welcome(10, 'e1', 60_000);
    ws.send(heartbeat(11)); // its event still on the way
    ws.fail();
    await t.clock.advance(0); // the backoff (random() is 0 here)
    const next = await t.transport(1);
    // The server takes 3 s to answer: within the 5 s to open, past the heartbeat's 2 s of grace.
    await t.clock.advance(3_000);
    expect(next.closedByClient).to.equal(false);
    expect(t.fakes.created).to.have.length(2);
    next.welcome(11, 'e1', 60_000); // the replay brings seq 11
    expect(t.client.state.snapshot!.seq).to.equal(11);
    expect(t.client.metrics().counters.resyncs).to.equal(0);
    expect(t.errors, 'no sequence-gap').to.deep.equal([]);
  });

  it('when the server itself ends an open connection (a restart), retries stay within 1 s for a while', async () => {
    t = setup({ rungs: ['websocket'], random: 0.999_999 });
    const ws = await t.transport(0);
    ws.welcome(10, 'e1', 60_000);
    ws.fail({ kind: 'ended', detail: 'WebSocket closed 1001 (server shutting down)' });
    const delays: number[] = [];
    for (let n = 1; n <= 5; n++) {
      delays.push(t.clock.pending[0]!);
      await t.clock.advance(delays[delays.length - 1]!);
      (await t.transport(n)).fail(); // refused while the server is down
    }
    expect(delays).to.deep.equal([499, 999, 999, 999, 999]);
    // Past the window, a server that is still away gets the ordinary, growing backoff.
    await t.clock.advance(RESTART_WINDOW_MS);
    const late = t.fakes.created.length - 1;
    (await t.transport(late)).fail();
    expect(t.clock.pending[0]).to.be.greaterThan(10_000);
  });

  it('while the server restarts, stays on the rung it was on instead of falling through every rung at each retry', async () => {
    t = setup({ random: 0.999_999 });
    (await t.transport(0)).fail(); // WebSocket blocked on this network
    const sse = await t.transport(1);
    sse.welcome(10, 'e1', 60_000);
    sse.fail({ kind: 'ended', detail: 'the stream ended (server shutting down)' });
    // A proxy answers 502 to every request while the server is down: each retry fails to open.
    for (let n = 2; n <= 6; n++) {
      const delay = t.clock.pending[0]!;
      expect(delay, 'within the restart window').to.be.at.most(999);
      await t.clock.advance(delay);
      const retry = await t.transport(n);
      expect(retry.rung, `retry ${n - 1}`).to.equal('sse');
      retry.fail({ kind: 'failed', detail: 'HTTP 502' });
    }
    expect(t.fakes.created).to.have.length(7);
    // Past the window, a rung that does not open (here: in 5 s) is taken for blocked again,
    // and the next one is tried.
    await t.clock.advance(RESTART_WINDOW_MS);
    const rungs = t.fakes.created.map((transport) => transport.rung);
    const lower = rungs.indexOf('longpoll');
    expect(lower, 'the next rung tried after the window').to.be.greaterThan(6);
    expect(rungs.slice(1, lower)).to.deep.equal(Array(lower - 1).fill('sse'));
  });

  it('probes the higher rung in the background, keeps the lower one until it works, then moves up', async () => {
    t = setup();
    (await t.transport(0)).fail();
    const sse = await t.transport(1);
    // Slow heartbeats: long probe intervals pass without the watchdog firing.
    sse.welcome(10, 'e1', 60_000);
    sse.send(booking(11, 4));
    // Failed probes come at a growing interval, and never disturb the rung in use.
    let expected = PROBE_BASE_MS / 2;
    for (let n = 2; n < 4; n++) {
      await t.clock.advance(expected - 1);
      expect(t.fakes.created).to.have.length(n);
      await t.clock.advance(1);
      const probe = await t.transport(n);
      expect(probe.rung).to.equal('websocket');
      // Every connection resumes from what is applied, whichever rung carried it.
      expect(probe.cursorAtConnect).to.deep.equal({ epoch: 'e1', seq: 11 });
      probe.fail();
      sse.send(heartbeat(11));
      expected *= 2;
      expect(sse.closedByClient).to.equal(false);
      expect(t.client.state.transport).to.equal('sse');
    }
    await t.clock.advance(expected);
    const probe = await t.transport(4);
    probe.welcome(12);
    expect(sse.closedByClient).to.equal(true);
    expect(t.client.state.transport).to.equal('websocket');
    expect(t.client.state.snapshot!.seq).to.equal(12);
    const { counters } = t.client.metrics();
    expect(counters).to.include({ transportSwitches: 1, duplicates: 0, gaps: 0 });
  });

  it('from long-polling, probes WebSocket first: SSE may be the rung blocked on this path, and must not keep it below', async () => {
    t = setup();
    (await t.transport(0)).fail(); // a captive portal at start: WebSocket and SSE fail
    (await t.transport(1)).fail();
    const poll = await t.transport(2);
    poll.welcome(10, 'e1', 60_000);
    await t.clock.advance(PROBE_BASE_MS / 2);
    const probe = await t.transport(3);
    expect(probe.rung).to.equal('websocket');
    expect(probe.cursorAtConnect).to.deep.equal({ epoch: 'e1', seq: 10 });
    probe.welcome(11);
    expect(poll.closedByClient).to.equal(true);
    expect(t.client.state.transport).to.equal('websocket');
    expect(t.client.state.snapshot!.seq).to.equal(11);
    expect(t.client.metrics().counters).to.include({ transportSwitches: 1, duplicates: 0, gaps: 0 });
    expect(t.statuses).to.deep.equal(['live']);
  });

  it('a failed probe walks down to the next rung above at once; a climb that fails on every rung counts once for the backoff', async () => {
    t = setup();
    (await t.transport(0)).fail();
    (await t.transport(1)).fail();
    const poll = await t.transport(2);
    poll.welcome(10, 'e1', 60_000);
    await t.clock.advance(PROBE_BASE_MS / 2);
    (await t.transport(3)).fail();
    const sse = await t.transport(4);
    expect(sse.rung).to.equal('sse');
    sse.fail();
    // Nothing below SSE is above the rung in use: the next climb comes after one doubling.
    await t.clock.advance(PROBE_BASE_MS - 1);
    expect(t.fakes.created).to.have.length(5);
    await t.clock.advance(1);
    const again = await t.transport(5);
    expect(again.rung).to.equal('websocket');
    again.fail();
    // This time SSE works: up to it (WebSocket is probed from there later).
    (await t.transport(6)).welcome(10, 'e1', 60_000);
    expect(poll.closedByClient).to.equal(true);
    expect(t.client.state.transport).to.equal('sse');
    expect(t.client.status).to.equal('live');
    expect(t.client.metrics().counters).to.include({ transportSwitches: 1, duplicates: 0, gaps: 0 });
  });

  it('a rung cut again and again soon after it opens (a proxy ending requests at 20 s) is left for the next one; the climb back to it waits longer', async () => {
    t = setup();
    let seq = 10;
    for (let n = 0; n < CUTS_BEFORE_FALL; n++) {
      await t.clock.advance(0); // the backoff (random() is 0 here)
      const ws = await t.transport(n);
      expect(ws.rung, `connection ${n + 1}`).to.equal('websocket');
      ws.welcome(seq, 'e1', 60_000);
      ws.send(booking(++seq, seq));
      await t.clock.advance(20_000);
      ws.fail({ kind: 'failed', detail: 'WebSocket closed 1006' });
    }
    const sse = await t.transport(CUTS_BEFORE_FALL);
    expect(sse.rung).to.equal('sse');
    expect(sse.cursorAtConnect).to.deep.equal({ epoch: 'e1', seq });
    sse.welcome(seq, 'e1', 60_000);
    expect(t.client.state.transport).to.equal('sse');
    expect(t.errors.map((e) => e.code)).to.deep.equal(['transport-failed']);
    expect(t.client.metrics().counters).to.include({ duplicates: 0, gaps: 0 });
    // The retries after the first cuts are reconnects like any other; the fall is not shown.
    expect(t.statuses.filter((status) => status !== 'live')).to.deep.equal(
      Array(CUTS_BEFORE_FALL - 1).fill('reconnecting'),
    );
    // The fall counts as a failed climb: WebSocket is probed again after one doubling, not at the first delay.
    await t.clock.advance(PROBE_BASE_MS - 1);
    expect(t.fakes.created).to.have.length(CUTS_BEFORE_FALL + 1);
    await t.clock.advance(1);
    expect((await t.transport(CUTS_BEFORE_FALL + 1)).rung).to.equal('websocket');
  });

  it('a climb from long-polling cut before a healthy spell goes back to long-polling, not onto a rung between already left for its cuts', async () => {
    t = setup();
    const openedAt = new Map<FakeTransport, number>();
    const cut = new Set<FakeTransport>();
    const trail: string[] = [];
    let reached = -1;
    // A proxy: every connection opens and is cut 20 s later, but for held polls (served).
    const drive = () => {
      for (const c of t.fakes.created) {
        if (c.closedByClient || cut.has(c)) continue;
        if (!openedAt.has(c)) {
          openedAt.set(c, t.clock.now());
          c.welcome(10, 'e1', 60_000);
          trail.push(`${c.rung} at ${t.clock.now()}`);
          if (c.rung === 'longpoll' && reached < 0) reached = t.statuses.length;
        } else if (c.rung === 'longpoll') {
          if ((t.clock.now() - openedAt.get(c)!) % 30_000 === 0) c.send(heartbeat(10));
        } else if (t.clock.now() - openedAt.get(c)! >= 20_000) {
          cut.add(c);
          c.fail({ kind: 'failed', detail: 'cut at 20 s' });
        }
      }
    };
    // 20 minutes: long enough for the probes to climb again and again.
    for (let s = 0; s < 20 * 60; s++) {
      drive();
      await t.clock.advance(1_000);
    }
    expect(reached, trail.join(', ')).to.be.greaterThan(-1);
    expect(trail.filter((each) => each.startsWith('websocket')).length, 'climbs').to.be.greaterThan(1);
    expect(
      t.statuses.slice(reached).filter((status) => status !== 'live'),
      'once on long-polling, only live',
    ).to.deep.equal([]);
  });

  it('cuts with a healthy spell between them are ordinary drops: the rung is kept', async () => {
    t = setup();
    for (let n = 0; n <= CUTS_BEFORE_FALL; n++) {
      await t.clock.advance(0);
      const ws = await t.transport(n);
      expect(ws.rung, `connection ${n + 1}`).to.equal('websocket');
      ws.welcome(10, 'e1', 60_000);
      await t.clock.advance(HEALTHY_SPELL_MS);
      ws.fail();
    }
  });

  it('a 429 or 503 with Retry-After: the same rung is tried again no sooner, not even on coming back online or visible; at most 5 min later', async () => {
    t = setup();
    (await t.transport(0)).fail(); // WebSocket blocked here
    const sse = await t.transport(1);
    sse.welcome(10, 'e1', 600_000);
    sse.fail({ kind: 'throttled', detail: 'HTTP 429', retryAfter: '60' });
    expect(t.client.status).to.equal('reconnecting');
    await t.clock.advance(30_000);
    t.window.dispatchEvent(new Event('online'));
    t.document.dispatchEvent(new Event('visibilitychange'));
    await t.clock.advance(30_000 - 1);
    expect(t.fakes.created).to.have.length(2);
    await t.clock.advance(1);
    const again = await t.transport(2);
    expect(again.rung).to.equal('sse');
    again.fail({ kind: 'throttled', detail: 'HTTP 503', retryAfter: '86400' });
    await t.clock.advance(RETRY_AFTER_MAX_MS - 1);
    expect(t.fakes.created).to.have.length(3);
    await t.clock.advance(1);
    const back = await t.transport(3);
    expect(back.rung).to.equal('sse');
    back.welcome(10, 'e1', 600_000);
    expect(t.client.status).to.equal('live');
  });

  it('a probe told Retry-After: the next climb waits for it', async () => {
    t = setup({ rungs: ['sse', 'longpoll', 'interval'] });
    (await t.transport(0)).fail();
    (await t.transport(1)).welcome(10, 'e1', 600_000);
    await t.clock.advance(PROBE_BASE_MS / 2);
    const probe = await t.transport(2);
    expect(probe.rung).to.equal('sse');
    probe.fail({ kind: 'throttled', detail: 'HTTP 429', retryAfter: '120' });
    await t.clock.advance(120_000 - 1);
    expect(t.fakes.created).to.have.length(3);
    await t.clock.advance(1);
    expect((await t.transport(3)).rung).to.equal('sse');
    expect(t.client.state.transport).to.equal('polling');
  });

  it('a bad frame on a probe drops the probe, not the connection in use', async () => {
    t = setup();
    (await t.transport(0)).fail();
    const sse = await t.transport(1);
    sse.welcome(10, 'e1', 60_000);
    await t.clock.advance(PROBE_BASE_MS / 2);
    const probe = await t.transport(2);
    probe.send('{not json');
    expect(probe.closedByClient).to.equal(true);
    expect(sse.closedByClient).to.equal(false);
    expect(t.client.state.transport).to.equal('sse');
    expect(t.client.status).to.equal('live');
  });

  it('marks a silent connection stale after heartbeat + 10 s, reports it, and reconnects', async () => {
    t = setup();
    const ws = await t.transport(0);
    ws.welcome(10, 'e1', 1000);
    await t.clock.advance(1000 + 10_000 - 1);
    expect(t.client.status).to.equal('live');
    await t.clock.advance(1);
    expect(t.client.status).to.equal('stale');
    expect(ws.closedByClient).to.equal(true);
    expect(t.errors.map((e) => e.code)).to.deep.equal(['stalled']);
    await t.clock.advance(0);
    const next = await t.transport(1);
    expect(next.rung).to.equal('websocket');
    next.welcome(10);
    expect(t.statuses).to.deep.equal(['live', 'stale', 'live']);
  });

  it('marks the state stale once a dropped connection has been gone for heartbeat + 10 s, live again when one opens', async () => {
    t = setup({ rungs: ['websocket'], random: 0.999_999 });
    const ws = await t.transport(0);
    ws.welcome(10, 'e1', 1000); // the last frame: heartbeats every second, so 11 s of silence at most
    await t.clock.advance(4000);
    ws.fail({ kind: 'ended', detail: 'WebSocket closed 1001 (server shutting down)' });
    expect(t.client.status).to.equal('reconnecting');
    // The server stays away: the tries that follow never open (each gives up after 5 s).
    await t.clock.advance(11_000 - 4000 - 1);
    expect(t.client.status, 'a heartbeat and its grace after the last frame').to.equal('reconnecting');
    await t.clock.advance(1);
    expect(t.client.status).to.equal('stale');
    t.fakes.last.welcome(10, 'e1', 1000);
    expect(t.client.status).to.equal('live');
    expect(t.statuses).to.deep.equal(['live', 'reconnecting', 'stale', 'live']);
  });

  it('stays offline, not stale, however long the browser has no network', async () => {
    t = setup({ random: 0.999_999 });
    const ws = await t.transport(0);
    ws.welcome(10, 'e1', 1000);
    t.window.dispatchEvent(new Event('offline'));
    ws.fail();
    await t.clock.advance(60_000);
    expect(t.client.status).to.equal('offline');
    expect(t.statuses).to.deep.equal(['live', 'offline']);
  });

  it('retries at once when the browser comes back online', async () => {
    t = setup({ random: 0.999_999 });
    const ws = await t.transport(0);
    ws.welcome();
    ws.fail();
    expect(t.client.status).to.equal('reconnecting');
    t.window.dispatchEvent(new Event('offline'));
    expect(t.client.status).to.equal('offline');
    t.window.dispatchEvent(new Event('online'));
    expect((await t.transport(1)).rung).to.equal('websocket');
  });

  it('on coming back online, restarts an attempt begun while offline instead of waiting for its timeout', async () => {
    t = setup();
    const ws = await t.transport(0);
    ws.welcome();
    t.window.dispatchEvent(new Event('offline'));
    ws.fail();
    // Zero backoff: the retry is already under way, offline, and may hang.
    await t.clock.advance(0);
    const hanging = await t.transport(1);
    t.window.dispatchEvent(new Event('online'));
    expect(hanging.closedByClient).to.equal(true);
    const fresh = await t.transport(2);
    expect(fresh.rung).to.equal('websocket');
    fresh.welcome();
    expect(t.client.status).to.equal('live');
  });

  it('while offline, stays on its rung: a failure without a network says nothing about the transport', async () => {
    t = setup();
    const ws = await t.transport(0);
    ws.welcome();
    t.window.dispatchEvent(new Event('offline'));
    ws.fail();
    await t.clock.advance(0);
    const again = await t.transport(1);
    again.fail(); // never opened, offline
    await t.clock.advance(0);
    expect((await t.transport(2)).rung).to.equal('websocket', 'no fall to SSE while offline');
    t.window.dispatchEvent(new Event('online'));
    const back = await t.transport(3);
    expect(back.rung).to.equal('websocket');
    back.welcome();
    expect(t.client.status).to.equal('live');
  });

  it('on becoming visible, pings the socket and reconnects if no pong comes within 2 s', async () => {
    t = setup();
    const ws = await t.transport(0);
    ws.welcome();
    t.document.dispatchEvent(new Event('visibilitychange'));
    expect(ws.pings).to.have.length(1);
    ws.send({ type: 'pong', id: ws.pings[0]!, serverTime: Date.now() });
    await t.clock.advance(PING_TIMEOUT_MS);
    expect(ws.closedByClient).to.equal(false);

    t.document.dispatchEvent(new Event('visibilitychange'));
    expect(ws.pings).to.have.length(2);
    await t.clock.advance(PING_TIMEOUT_MS);
    expect(ws.closedByClient).to.equal(true);
    expect((await t.transport(1)).rung).to.equal('websocket');
  });

  it('on becoming visible, leaves a long-poll quiet within its hold, and reconnects one quiet past it', async () => {
    t = setup({ rungs: ['longpoll'] });
    const poll = await t.transport(0);
    // A poll held 25 s, with its request timeout: 35 s without a frame is normal.
    poll.quietMs = 35_000;
    poll.welcome();
    await t.clock.advance(20_000);
    t.document.dispatchEvent(new Event('visibilitychange'));
    t.window.dispatchEvent(new Event('online'));
    expect(poll.closedByClient).to.equal(false);
    expect(t.client.metrics().counters.reconnects).to.equal(0);

    await t.clock.advance(17_001);
    t.document.dispatchEvent(new Event('visibilitychange'));
    expect(poll.closedByClient).to.equal(true);
    expect((await t.transport(1)).rung).to.equal('longpoll');
  });

  describe('waking from sleep, with no online or visibilitychange event', () => {
    const HOURS_3 = 3 * 3_600_000;

    /** Live on a WebSocket whose heartbeats come every 15 s (25 s of silence allowed), a second after its last frame. */
    async function liveSocket() {
      t = setup({ rungs: ['websocket'] });
      const ws = await t.transport(0);
      ws.welcome(10, 'e1', 15_000);
      await t.clock.advance(1_000);
      return ws;
    }

    it('timers paused through the sleep: stale within 5 s of waking, not live over old data; replaced, and current again', async () => {
      const ws = await liveSocket();
      t.clock.sleep(HOURS_3);
      // The watchdog's tick had 4 s left when the machine slept; its silence timer, 24 s.
      await t.clock.advance(WAKE_TICK_MS - 1_000 - 1);
      expect(t.client.status, 'no timer has run since waking').to.equal('live');
      await t.clock.advance(1);
      expect(t.client.status).to.equal('stale');
      expect(ws.closedByClient).to.equal(true);
      expect(t.errors.map((e) => e.code)).to.deep.equal(['stalled']);
      await t.clock.advance(0); // the backoff (random() is 0 here)
      const next = await t.transport(1);
      expect(next.cursorAtConnect, 'resumes from its cursor').to.deep.equal({ epoch: 'e1', seq: 10 });
      next.welcome(12); // replays what was written meanwhile
      expect(t.client.state.snapshot!.seq).to.equal(12);
      expect(t.statuses).to.deep.equal(['live', 'stale', 'live']);
      expect(t.fakes.created).to.have.length(2);
    });

    it('timers that all fire at once on waking: stale at once and replaced once, as before', async () => {
      const ws = await liveSocket();
      t.clock.sleep(HOURS_3, false);
      await t.clock.advance(0);
      expect(t.client.status).to.equal('stale');
      expect(ws.closedByClient).to.equal(true);
      const next = await t.transport(1);
      next.welcome(12, 'e1', 15_000);
      expect(t.client.state.snapshot!.seq).to.equal(12);
      await t.clock.advance(20_000);
      expect(t.fakes.created, 'one reconnect').to.have.length(2);
      expect(t.errors.map((e) => e.code)).to.deep.equal(['stalled']);
    });

    it('a short sleep with frames since waking: a visible page pings the socket, and reconnects if no pong comes within 2 s', async () => {
      const ws = await liveSocket();
      t.clock.sleep(8_000);
      ws.send(heartbeat(10)); // the socket delivers on waking
      await t.clock.advance(WAKE_TICK_MS - 1_000);
      expect(ws.pings).to.have.length(1);
      expect(t.client.status, 'what it shows was heard a moment ago').to.equal('live');
      await t.clock.advance(PING_TIMEOUT_MS);
      expect(ws.closedByClient).to.equal(true);
      (await t.transport(1)).welcome(10);
      expect(t.client.status).to.equal('live');
    });

    it('a short sleep whose socket answers the ping keeps it', async () => {
      const ws = await liveSocket();
      t.clock.sleep(8_000);
      ws.send(heartbeat(10));
      await t.clock.advance(WAKE_TICK_MS - 1_000);
      ws.send({ type: 'pong', id: ws.pings[0]!, serverTime: Date.now() });
      await t.clock.advance(PING_TIMEOUT_MS + 2 * WAKE_TICK_MS);
      expect(ws.closedByClient).to.equal(false);
      expect(ws.pings, 'one ping: the ticks since came on time').to.have.length(1);
    });

    it('a hidden page, whose timers the browser throttles to one a minute, is not taken for one that slept: no ping, no reconnect', async () => {
      const ws = await liveSocket();
      t.document.visibilityState = 'hidden';
      for (let minute = 0; minute < 10; minute++) {
        // Heartbeats come on time; the timers run a minute late.
        for (let beat = 0; beat < 4; beat++) {
          t.clock.sleep(15_000, false);
          ws.send(heartbeat(10));
        }
        await t.clock.advance(0);
      }
      await t.clock.advance(WAKE_TICK_MS);
      expect(ws.pings).to.have.length(0);
      expect(ws.closedByClient).to.equal(false);
      expect(t.statuses).to.deep.equal(['live']);
      // Shown again, the page checks its connection once, as any page coming back does.
      t.document.visibilityState = 'visible';
      t.document.dispatchEvent(new Event('visibilitychange'));
      expect(ws.pings).to.have.length(1);
    });

    it('looks at the clock only while a connection is open: not while reconnecting, not once closed', async () => {
      t = setup({ rungs: ['websocket'], random: 0.999_999 });
      const ws = await t.transport(0);
      ws.welcome(10, 'e1', 1_000);
      // The watchdog's tick and its silence timer, the healthy spell, the renewal.
      expect(t.clock.pending).to.deep.equal([
        WAKE_TICK_MS,
        11_000,
        HEALTHY_SPELL_MS,
        3_600_000 - RENEW_BEFORE_MS,
      ]);
      ws.fail();
      expect(t.clock.pending, 'the retry and the silence timer').to.deep.equal([499, 11_000]);
      t.client.close();
      expect(t.clock.pending).to.deep.equal([]);
    });
  });

  it('asks for a token before each connect, and for one more when the server rejects it', async () => {
    t = setup();
    const ws = await t.transport(0);
    expect(t.tokenCalls).to.equal(1);
    ws.welcome();
    ws.fail({ kind: 'auth', detail: 'WebSocket closed 4401' });
    const next = await t.transport(1);
    expect(t.tokenCalls).to.equal(2);
    expect(next.context.token).not.to.equal(ws.context.token);
    expect(next.rung).to.equal('websocket');
    next.welcome();
    expect(t.client.status).to.equal('live');
  });

  it('without a fresh token: expired, no more reconnects, state kept, fg-session-expired sends to the login page', async () => {
    // The page's getToken() answers with the token that was just refused: that is not a fresh one.
    const same = fakeJwt('c-story');
    t = setup({ loginUrl: '/login?next=dashboard', tokens: [same, same] });
    const expired: Event[] = [];
    t.events.addEventListener('fg-session-expired', (e) => expired.push(e));
    const ws = await t.transport(0);
    ws.welcome(10);
    const state = t.client.state.snapshot;
    ws.fail({ kind: 'auth', detail: 'auth-expired' });
    await until(() => t.client.status === 'expired', 'expired');
    await t.clock.advance(60_000);
    expect(t.fakes.created).to.have.length(1);
    expect(t.client.state.snapshot).to.equal(state);
    expect(expired).to.have.length(1);
    const event = expired[0] as CustomEvent;
    expect(event.cancelable).to.equal(true);
    expect(event.bubbles).to.equal(true);
    expect(event.composed).to.equal(true);
    expect(event.detail).to.deep.equal({ loginUrl: '/login?next=dashboard' });
    expect(t.navigations).to.deep.equal(['/login?next=dashboard']);
  });

  it('never goes to a login URL that is no web page (javascript:, data:): the event tells none', async () => {
    for (const loginUrl of [
      'javascript:alert(document.domain)',
      ' JavaScript:alert(1)',
      'data:text/html,<script>1</script>',
    ]) {
      t = setup({ loginUrl, tokens: [fakeJwt('c-story'), null] });
      const expired: CustomEvent[] = [];
      t.events.addEventListener('fg-session-expired', (e) => expired.push(e as CustomEvent));
      (await t.transport(0)).fail({ kind: 'auth', detail: 'auth-expired' });
      await until(() => t.client.status === 'expired', 'expired');
      expect(
        expired.map((e) => e.detail),
        loginUrl,
      ).to.deep.equal([{ loginUrl: undefined }]);
      expect(t.navigations, loginUrl).to.deep.equal([]);
      t.client.close();
    }
  });

  it('a getToken() that fails when the server refuses the token is asked again after the backoff: the session goes on', async () => {
    const failing = Promise.reject(new Error('auth backend 502'));
    failing.catch(() => {});
    t = setup({ loginUrl: '/login', tokens: [fakeJwt('c-story', 1), failing] });
    const ws = await t.transport(0);
    ws.welcome();
    ws.fail({ kind: 'auth', detail: 'WebSocket closed 4401' });
    await until(() => t.errors.length > 0, 'fg-error');
    expect(t.errors.map((e) => e.code)).to.deep.equal(['token-unavailable']);
    expect(t.client.status).to.equal('reconnecting');
    await t.clock.advance(1_000);
    await expectSessionGoesOn();
  });

  it('a page that cancels fg-session-expired stays where it is', async () => {
    t = setup({ loginUrl: '/login', tokens: [fakeJwt('c-story'), null] });
    t.events.addEventListener('fg-session-expired', (e) => e.preventDefault());
    const ws = await t.transport(0);
    ws.welcome();
    ws.fail({ kind: 'auth', detail: 'WebSocket closed 4401' });
    await until(() => t.client.status === 'expired', 'expired');
    expect(t.navigations).to.deep.equal([]);
  });

  it('renews the token before it expires: a fresh connection takes over once it carries frames, the status never leaving live', async () => {
    t = setup();
    const ws = await t.transport(0);
    // A token with 5 minutes left: renewed a minute before it expires.
    ws.welcome(10, 'e1', 600_000, 300_000);
    const live = t.statuses.length;
    await t.clock.advance(300_000 - RENEW_BEFORE_MS - 1);
    expect(t.fakes.created).to.have.length(1);
    await t.clock.advance(1);
    const next = await t.transport(1);
    expect(next.rung).to.equal('websocket');
    expect(t.tokenCalls).to.equal(2);
    expect(next.context.token).not.to.equal(ws.context.token);
    expect(next.cursorAtConnect).to.deep.equal({ epoch: 'e1', seq: 10 });
    // The connection in use carries on until the fresh one carries frames.
    ws.send(booking(11, 4));
    expect(ws.closedByClient).to.equal(false);
    // The fresh one replays what the old one carried meanwhile: expected, so not an error.
    next.send(welcomeFrame(12, Date.now() + 3_600_000, Date.now()));
    next.send(booking(11, 4));
    next.send(booking(12, 5));
    expect(ws.closedByClient).to.equal(true);
    expect(t.client.state.snapshot!.seq).to.equal(12);
    // The old token's expiry comes and goes: nothing more opens, nothing is asked for.
    await t.clock.advance(RENEW_BEFORE_MS);
    next.send(heartbeat(12));
    expect(t.fakes.created).to.have.length(2);
    expect(t.tokenCalls).to.equal(2);
    expect(t.statuses.slice(live)).to.deep.equal([]);
    expect(t.client.status).to.equal('live');
    // seq 11 came twice: counted, and reported to nobody.
    expect(t.client.metrics().counters).to.include({
      duplicates: 1,
      gaps: 0,
      reconnects: 0,
      transportSwitches: 0,
    });
    expect(t.errors).to.deep.equal([]);
  });

  it('renews half way through a token shorter than two minutes; a getToken() that gives the same token is asked again, with less time left each time', async () => {
    const same = fakeJwt('c-story');
    t = setup({ tokens: [same, same, same, same] });
    const ws = await t.transport(0);
    ws.welcome(10, 'e1', 60_000, 40_000);
    await t.clock.advance(20_000 - 1);
    expect(t.tokenCalls).to.equal(1);
    await t.clock.advance(1);
    await until(() => t.tokenCalls === 2, 'the renewal asks for a token');
    // Nothing new to renew with yet: again half way to the expiry (10 s), then in 5 s.
    await t.clock.advance(10_000);
    await until(() => t.tokenCalls === 3, 'asked again');
    await t.clock.advance(5_000);
    await until(() => t.tokenCalls === 4, 'and again');
    // 5 s left: too little to open a connection in. The connection in use stays, alone, until the server ends it.
    await t.clock.advance(4_999);
    expect(t.tokenCalls).to.equal(4);
    expect(t.fakes.created).to.have.length(1);
    expect(ws.closedByClient).to.equal(false);
    expect(t.client.status).to.equal('live');
  });

  it('renews once the page has a newer token, though it gave the same one at first (a cache that renews near the expiry)', async () => {
    const same = fakeJwt('c-story');
    t = setup({ tokens: [same, same, fakeJwt('c-story', 2)] });
    const ws = await t.transport(0);
    ws.welcome(10, 'e1', 60_000, 40_000);
    await t.clock.advance(20_000);
    await until(() => t.tokenCalls === 2, 'the renewal asks for a token');
    await t.clock.advance(10_000);
    const renewed = await t.transport(1);
    renewed.welcome();
    expect(ws.closedByClient, 'the renewed connection took over').to.equal(true);
    expect(t.client.status).to.equal('live');
  });

  it("asks again, a few seconds on, for a token the server refused as expired when the page gives it back: the page's clock is behind", async () => {
    // Expired a second ago by the server's clock; the page (its clock behind) still holds it good.
    const expired = fakeJwt('c-story', 1, Math.floor(Date.now() / 1000) - 1);
    t = setup({ loginUrl: '/login', tokens: [expired, expired, fakeJwt('c-story', 2)] });
    const ws = await t.transport(0);
    ws.welcome();
    ws.fail({ kind: 'auth', detail: 'WebSocket closed 4401' });
    await until(() => t.tokenCalls === 2, 'asked for a fresh token');
    expect(t.client.status).to.equal('reconnecting');
    await t.clock.advance(2_000);
    await expectSessionGoesOn();
  });

  it('ends the session when the page keeps giving back its expired token: asked again in 2, 4 and 8 s, no more', async () => {
    const expired = fakeJwt('c-story', 1, Math.floor(Date.now() / 1000) - 1);
    t = setup({ loginUrl: '/login', tokens: Array.from({ length: 10 }, () => expired) });
    const ws = await t.transport(0);
    ws.welcome();
    ws.fail({ kind: 'auth', detail: 'WebSocket closed 4401' });
    await until(() => t.tokenCalls === 2, 'asked for a fresh token');
    for (const [wait, calls] of [
      [2_000, 3],
      [4_000, 4],
      [8_000, 5],
    ] as const) {
      await t.clock.advance(wait - 1);
      expect(t.tokenCalls).to.equal(calls - 1);
      await t.clock.advance(1);
      await until(() => t.tokenCalls === calls, `asked again (${calls})`);
    }
    await until(() => t.client.status === 'expired', 'expired');
    expect(t.fakes.created).to.have.length(1);
    expect(t.navigations).to.deep.equal(['/login']);
  });

  it('a page shown again while it waits for a token good by the server keeps the wait and the rung', async () => {
    const expired = fakeJwt('c-story', 1, Math.floor(Date.now() / 1000) - 1);
    t = setup({ tokens: [fakeJwt('c-story', 0), expired, expired, fakeJwt('c-story', 2)] });
    (await t.transport(0)).fail(); // WebSocket blocked here
    const sse = await t.transport(1);
    sse.welcome();
    sse.fail({ kind: 'auth', detail: 'HTTP 401' });
    await until(() => t.tokenCalls === 3, 'asked for a fresh token, given the same');
    t.document.dispatchEvent(new Event('visibilitychange'));
    await t.clock.advance(0);
    expect(t.fakes.created, 'no connection on the old token').to.have.length(2);
    expect(t.tokenCalls, 'still waiting').to.equal(3);
    await t.clock.advance(2_000);
    expect((await t.transport(2)).rung).to.equal('sse');
  });

  it('a renewal the server refuses (an error frame, then 4401) leaves the connection in use as it is, and is tried again later', async () => {
    t = setup();
    const ws = await t.transport(0);
    ws.welcome(10, 'e1', 600_000, 300_000);
    await t.clock.advance(300_000 - RENEW_BEFORE_MS);
    const refused = await t.transport(1);
    refused.send(refusal);
    expect(ws.closedByClient).to.equal(false);
    refused.fail({ kind: 'auth', detail: 'WebSocket closed 4401' });
    ws.send(booking(11, 4));
    expect(ws.closedByClient).to.equal(false);
    expect(t.client.status).to.equal('live');
    expect(t.client.state.snapshot!.seq).to.equal(11);
    expect(t.errors).to.deep.equal([]);
    // Again half way to the expiry (30 s), then in 15 s, while there is time to open.
    await t.clock.advance(30_000 - 1);
    expect(t.fakes.created).to.have.length(2);
    await t.clock.advance(1);
    (await t.transport(2)).fail();
    await t.clock.advance(15_000);
    (await t.transport(3)).fail();
    await t.clock.advance(7_500);
    (await t.transport(4)).fail();
    // 7.5 s left: too little to open a connection in. The server ends this one at expiry.
    await t.clock.advance(7_499);
    expect(t.fakes.created).to.have.length(5);
    expect(t.client.status).to.equal('live');
  });

  it('a session with a fixed end (fresh tokens that expire no later) is renewed once, not again and again', async () => {
    t = setup();
    const ws = await t.transport(0);
    // The server's clock moves with the test's.
    const end = t.clock.now() + 300_000;
    ws.send(welcomeFrame(10, end, t.clock.now()));
    await t.clock.advance(300_000 - RENEW_BEFORE_MS);
    const next = await t.transport(1);
    next.send(welcomeFrame(10, end, t.clock.now()));
    expect(ws.closedByClient).to.equal(true);
    await t.clock.advance(RENEW_BEFORE_MS - 1);
    expect(t.fakes.created).to.have.length(2);
    expect(t.tokenCalls).to.equal(2);
  });

  it('renews only once back online, and never sets a timer too long to keep (a token of 30 days)', async () => {
    t = setup();
    const ws = await t.transport(0);
    ws.welcome(10, 'e1', 600_000, 300_000);
    t.window.dispatchEvent(new Event('offline'));
    await t.clock.advance(300_000 - RENEW_BEFORE_MS);
    expect(t.fakes.created).to.have.length(1);
    t.window.dispatchEvent(new Event('online'));
    // Back online, the socket is pinged: it answers, and stays.
    ws.send({ type: 'pong', id: ws.pings.at(-1)!, serverTime: Date.now() });
    await t.clock.advance(30_000 - 1);
    expect(t.fakes.created).to.have.length(1);
    await t.clock.advance(1);
    const next = await t.transport(1);
    next.welcome(10, 'e1', 600_000, 30 * 24 * 3_600_000);
    expect(ws.closedByClient).to.equal(true);
    // Past 2^31 - 1 ms (24.8 days) a timer fires at once: this one is held at that.
    await t.clock.advance(600_000);
    expect(t.fakes.created).to.have.length(2);
    expect(t.client.status).to.equal('live');
  });

  it("renews a poll's token too (no welcome): its own exp, against the server's time in a heartbeat", async () => {
    const { now, poll } = await livePoll();
    const live = t.statuses.length;
    // Heartbeats every 20 s keep it live; the first says the token has 300 s left.
    for (let elapsed = 0; elapsed < 300_000 - RENEW_BEFORE_MS - 20_000; elapsed += 20_000) {
      poll.send(heartbeat(10, 'e1', now + elapsed));
      await t.clock.advance(20_000);
    }
    expect(t.fakes.created).to.have.length(1);
    poll.send(heartbeat(10, 'e1', now + 220_000));
    await t.clock.advance(20_000);
    const next = await t.transport(1);
    expect(next.rung).to.equal('longpoll');
    expect(next.context.token).to.equal(fakeJwt('c-story', 2));
    next.send(heartbeat(10, 'e1', now + 240_000));
    expect(poll.closedByClient).to.equal(true);
    expect(t.statuses.slice(live)).to.deep.equal([]);
    expect(t.client.metrics().counters).to.include({ reconnects: 0, gaps: 0 });
  });

  it("a poll that only ever carries events is renewed too, by the client's clock while no heartbeat told the server's", async () => {
    const { now, poll } = await livePoll();
    // An event every 20 s: the poll never holds long enough for a heartbeat.
    let seq = 10;
    while (t.clock.now() < now + 300_000 - RENEW_BEFORE_MS - 20_000) {
      poll.send(booking(++seq, seq));
      await t.clock.advance(20_000);
    }
    expect(t.fakes.created).to.have.length(1);
    poll.send(booking(++seq, seq));
    await t.clock.advance(20_000);
    const next = await t.transport(1);
    next.send(booking(seq, seq));
    expect(poll.closedByClient).to.equal(true);
    expect(t.client.status).to.equal('live');
  });

  it('a connection that took over from a renewal, then drops, is reconnected at once: not left for the watchdog', async () => {
    t = setup();
    const ws = await t.transport(0);
    ws.welcome(10, 'e1', 600_000, 300_000);
    await t.clock.advance(300_000 - RENEW_BEFORE_MS);
    const renewed = await t.transport(1);
    renewed.welcome(10, 'e1', 600_000);
    expect(ws.closedByClient).to.equal(true);
    renewed.fail({ kind: 'ended', detail: 'WebSocket closed 1001 (server shutting down)' });
    expect(t.client.status).to.equal('reconnecting');
    await t.clock.advance(0); // the backoff (random() is 0 here)
    const again = await t.transport(2);
    expect(again.rung).to.equal('websocket');
    again.welcome(10, 'e1', 60_000);
    expect(t.client.status).to.equal('live');
    expect(t.errors).to.deep.equal([]);
  });

  it('a connection reached by a climb that drops is replaced at once, and a probe under way keeps its own open timeout', async () => {
    t = setup({ rungs: ['websocket', 'sse', 'longpoll'] });
    (await t.transport(0)).fail();
    (await t.transport(1)).fail();
    (await t.transport(2)).welcome(10, 'e1', 60_000);
    await t.clock.advance(PROBE_BASE_MS / 2);
    (await t.transport(3)).fail(); // WebSocket still blocked
    const sse = await t.transport(4);
    sse.welcome(10, 'e1', 60_000);
    expect(t.client.state.transport).to.equal('sse');
    await t.clock.advance(PROBE_BASE_MS / 2);
    const probe = await t.transport(5);
    expect(probe.rung).to.equal('websocket');
    sse.fail();
    // Cut before a healthy spell, the climb did not hold: back at once to the rung it came from,
    // which served before, the status left as it was (nothing was lost).
    const again = await t.transport(6);
    expect(again.rung).to.equal('longpoll');
    expect(t.client.status).to.equal('live');
    again.welcome(10, 'e1', 60_000);
    expect(t.client.status).to.equal('live');
    // The probe never answers: given up after its 5 s, as any other.
    await t.clock.advance(OPEN_TIMEOUT_MS);
    expect(probe.closedByClient).to.equal(true);
    expect(again.closedByClient).to.equal(false);
  });

  it('renewals do not slow the climb back to a higher rung: its probes keep their own backoff', async () => {
    t = setup({ rungs: ['websocket', 'sse'] });
    (await t.transport(0)).fail();
    const sse = await t.transport(1);
    // 40 s left: renewed at 20 s; the first climb-back probe comes at 7.5 s, the next 15 s after it.
    sse.send(welcomeFrame(10, t.clock.now() + 40_000, t.clock.now()));
    await t.clock.advance(PROBE_BASE_MS / 2);
    (await t.transport(2)).fail();
    await t.clock.advance(20_000 - PROBE_BASE_MS / 2);
    const renewal = await t.transport(3);
    expect(renewal.rung).to.equal('sse');
    renewal.fail();
    await t.clock.advance(2_500);
    const climb = await t.transport(4);
    expect(climb.rung).to.equal('websocket');
    climb.fail();
    // Renewals again at 30 s and 35 s (half way, while 10 s are left), failing too.
    await t.clock.advance(7_500);
    (await t.transport(5)).fail();
    await t.clock.advance(5_000);
    (await t.transport(6)).fail();
    // Two failed climbs: the next comes 30 s after the last (the renewals' failures not counted).
    await t.clock.advance(52_500 - 35_000 - 1);
    expect(t.fakes.created).to.have.length(7);
    await t.clock.advance(1);
    expect((await t.transport(7)).rung).to.equal('websocket');
    expect(sse.closedByClient).to.equal(false);
  });

  it('a getToken() answering null for a climb-back probe ends the session', async () => {
    t = setup({ rungs: ['websocket', 'sse'], tokens: [fakeJwt('c-story', 1), fakeJwt('c-story', 2), null] });
    (await t.transport(0)).fail();
    (await t.transport(1)).welcome(10, 'e1', 600_000);
    await t.clock.advance(PROBE_BASE_MS / 2);
    await until(() => t.client.status === 'expired', 'expired');
    expect(t.tokenCalls).to.equal(3);
    expect(t.fakes.created).to.have.length(2);
  });

  it('a session that ends as the ladder falls a rung after cuts ends in expired, not in a live status with no connection', async () => {
    t = setup({
      rungs: ['websocket', 'sse'],
      tokens: [fakeJwt('c-story', 1), fakeJwt('c-story', 2), fakeJwt('c-story', 3), null],
    });
    for (let n = 0; n < CUTS_BEFORE_FALL; n++) {
      await t.clock.advance(0);
      const ws = await t.transport(n);
      ws.welcome(10, 'e1', 60_000);
      ws.fail({ kind: 'failed', detail: 'WebSocket closed 1006' });
    }
    // The fall to SSE asks for a token, and the page has none: the session is over.
    await until(() => t.client.status === 'expired', 'expired');
    expect(t.statuses.at(-1)).to.equal('expired');
    expect(t.fakes.created).to.have.length(CUTS_BEFORE_FALL);
  });

  it('a malformed first frame on the rung a fall opens shows the ladder reconnecting, not live', async () => {
    t = setup({ rungs: ['websocket', 'sse'] });
    for (let n = 0; n < CUTS_BEFORE_FALL; n++) {
      await t.clock.advance(0);
      const ws = await t.transport(n);
      ws.welcome(10, 'e1', 60_000);
      ws.fail({ kind: 'failed', detail: 'WebSocket closed 1006' });
    }
    const sse = await t.transport(CUTS_BEFORE_FALL);
    expect(t.client.status, 'the fall is not shown').to.equal('live');
    sse.send('{not json');
    expect(t.client.status, 'nothing open').to.equal('reconnecting');
    await t.clock.advance(1_000);
    (await t.transport(CUTS_BEFORE_FALL + 1)).welcome(10, 'e1', 60_000);
    expect(t.client.status).to.equal('live');
  });

  it('cuts on one rung do not count toward falling from the next', async () => {
    t = setup();
    for (let n = 0; n < CUTS_BEFORE_FALL - 1; n++) {
      await t.clock.advance(0);
      const ws = await t.transport(n);
      ws.welcome(10, 'e1', 60_000);
      ws.fail();
    }
    await t.clock.advance(0);
    // The next WebSocket never opens (a network that drops it without going offline): on to SSE.
    (await t.transport(CUTS_BEFORE_FALL - 1)).fail();
    const sse = await t.transport(CUTS_BEFORE_FALL);
    expect(sse.rung).to.equal('sse');
    sse.welcome(10, 'e1', 60_000);
    sse.fail();
    await t.clock.advance(0);
    expect((await t.transport(CUTS_BEFORE_FALL + 1)).rung, 'one cut on SSE').to.equal('sse');
    expect(t.errors.map((e) => e.code)).to.deep.equal(['transport-failed']);
  });

  it('a server that refuses every token (an error frame, then 4401) ends the session instead of looping', async () => {
    t = setup();
    (await t.transport(0)).send(refusal);
    expect(t.client.status).not.to.equal('live');
    t.fakes.last.fail({ kind: 'auth', detail: 'WebSocket closed 4401' });
    (await t.transport(1)).send(refusal);
    t.fakes.last.fail({ kind: 'auth', detail: 'WebSocket closed 4401' });
    await until(() => t.client.status === 'expired', 'expired');
    expect(t.tokenCalls).to.equal(2);
    expect(t.fakes.created).to.have.length(2);
    expect(t.statuses).not.to.include('live');
  });

  it('a fresh token that is refused too before opening ends the session instead of looping', async () => {
    t = setup();
    const ws = await t.transport(0);
    ws.welcome();
    ws.fail({ kind: 'auth', detail: '4401' });
    (await t.transport(1)).fail({ kind: 'auth', detail: '4401' });
    await until(() => t.client.status === 'expired', 'expired');
    expect(t.tokenCalls).to.equal(2);
    expect(t.fakes.created).to.have.length(2);
  });
});
