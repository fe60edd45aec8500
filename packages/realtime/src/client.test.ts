import { expect } from '@open-wc/testing';
import { createDashboardClient, type ClientEnvironment } from './client.js';
import type { TransportName } from '@fg/protocol/frames';
import type { ClientErrorDetail, DashboardClient, DashboardClientOptions } from './types.js';
import { ManualClock } from './test/manual-clock.js';
import { fakeJwt, fakeTransports, type FakeTransport } from './test/fake-transport.js';
import { booking, heartbeat, snapshot, snapshotFrame } from './test/frames.js';
import { until } from './test/server.js';
import { TOKEN_TIMEOUT_MS } from './transport/ladder.js';
import { WAKE_TICK_MS } from './transport/watchdog.js';
import { lockName } from './sync/tab-leader.js';
import { parseEndpoint } from './auth/endpoint.js';

function setup(getToken: () => string | null = () => fakeJwt('c-story')) {
  const clock = new ManualClock();
  const fakes = fakeTransports();
  const events = new EventTarget();
  const errors: ClientErrorDetail[] = [];
  const warnings: unknown[][] = [];
  events.addEventListener('fg-error', (e) => errors.push((e as CustomEvent<ClientErrorDetail>).detail));
  const client: DashboardClient = createDashboardClient(
    {
      endpoint: 'https://fg.example.com',
      getToken,
      tabSync: false,
      eventTarget: events,
    },
    { clock, random: () => 0, transports: fakes.factories, rungs: ['websocket'] },
  );
  return {
    client,
    clock,
    fakes,
    errors,
    warnings,
    codes: () => errors.map((e) => e.code),
    async transport(n: number): Promise<FakeTransport> {
      await until(() => fakes.created.length > n, `transport #${n}`);
      return fakes.created[n]!;
    },
    /** The client resynced: the transport was dropped and a new one connects from the cursor. */
    async resumed(n: number): Promise<FakeTransport> {
      expect(fakes.created[n - 1]!.closedByClient, 'previous transport dropped').to.equal(true);
      await clock.advance(0);
      return this.transport(n);
    },
  };
}

describe('createDashboardClient: what it does with each frame', () => {
  let t: ReturnType<typeof setup>;
  const originalWarn = console.warn;
  beforeEach(() => {
    console.warn = (...args: unknown[]) => t?.warnings.push(args);
  });
  afterEach(() => {
    console.warn = originalWarn;
    t.client.close();
  });

  async function live() {
    t = setup();
    const ws = await t.transport(0);
    ws.welcome(10);
    expect(t.client.status).to.equal('live');
    return ws;
  }

  it('applies the next seq and drops a duplicate, which it counts and reports once', async () => {
    const ws = await live();
    ws.send(booking(11, 4));
    ws.send(booking(11, 99));
    ws.send(booking(10, 99));
    expect(t.client.state.snapshot!.counts.upcoming).to.equal(4);
    expect(t.client.metrics().counters.duplicates).to.equal(2);
    expect(t.codes()).to.deep.equal(['duplicate-seq']);
    expect(ws.closedByClient).to.equal(false);
  });

  it('on a gap, keeps state, reports it, and resumes from its cursor', async () => {
    const ws = await live();
    ws.send(booking(11, 4));
    ws.send(booking(13, 99));
    expect(t.client.state.snapshot!.seq).to.equal(11);
    expect(t.codes()).to.deep.equal(['sequence-gap']);
    const next = await t.resumed(1);
    expect(next.cursorAtConnect).to.deep.equal({ epoch: 'e1', seq: 11 });
    next.welcome(13);
    expect(t.client.state.snapshot!.seq).to.equal(13);
    expect(t.client.metrics().counters).to.include({ gaps: 1, resyncs: 1 });
  });

  it('on another epoch, starts over from a snapshot of the new log', async () => {
    const ws = await live();
    ws.send(booking(1, 1, 'e2'));
    const next = await t.resumed(1);
    expect(next.cursorAtConnect).to.equal(null);
    next.welcome(1, 'e2');
    expect(t.client.state.snapshot).to.include({ epoch: 'e2', seq: 1 });
    expect(t.codes()).to.deep.equal([]);
  });

  for (const [name, text, code] of [
    ['malformed JSON', '{"type":"event","seq":', 'malformed-frame'],
    ['a frame failing the schema', JSON.stringify({ ...booking(11, 4), seq: -4 }), 'invalid-frame'],
    ['an unknown frame type', JSON.stringify({ type: 'launch-missiles' }), 'invalid-frame'],
  ] as const) {
    it(`${name}: logged, counted, reported once, state untouched, then resynced`, async () => {
      const ws = await live();
      const before = t.client.state.snapshot;
      ws.send(text);
      ws.send(text);
      expect(t.client.state.snapshot).to.equal(before);
      expect(t.client.metrics().counters.invalidFrames).to.equal(1);
      expect(t.codes()).to.deep.equal([code]);
      expect(t.warnings).to.have.length(1);
      const next = await t.resumed(1);
      next.welcome(11);
      expect(t.client.state.snapshot!.seq).to.equal(11);
      // Live again: a new incident is news again.
      next.send('nonsense');
      expect(t.codes()).to.deep.equal([code, 'malformed-frame']);
    });
  }

  it('a bad frame replayed on every resume (a server that stored it) is met with a fresh snapshot', async () => {
    const ws = await live();
    const bad = JSON.stringify({ ...booking(11, 4), seq: -4 });
    ws.send(bad);
    const again = await t.resumed(1);
    expect(again.cursorAtConnect).to.deep.equal({ epoch: 'e1', seq: 10 });
    again.send(bad);
    const fresh = await t.resumed(2);
    expect(fresh.cursorAtConnect, 'no cursor: the server sends a snapshot').to.equal(null);
    fresh.welcome(12);
    expect(t.client.state.snapshot!.seq).to.equal(12);
    expect(t.client.status).to.equal('live');
  });

  it("drops another consultant's snapshot or welcome, whatever the connection says", async () => {
    const ws = await live();
    const before = t.client.state.snapshot;
    ws.send(snapshotFrame({ seq: 50, consultant: { ...before!.consultant, id: 'c-other' } }));
    expect(t.client.state.snapshot).to.equal(before);
    expect(t.codes()).to.deep.equal(['foreign-frame']);
    expect(t.client.metrics().counters.invalidFrames).to.equal(1);
    const next = await t.resumed(1);
    next.send({
      type: 'welcome',
      consultantId: 'c-other',
      epoch: 'e1',
      seq: 99,
      heartbeatMs: 1000,
      tokenExpiresAt: 0,
      serverTime: 0,
    });
    expect(t.client.status).not.to.equal('live');
    expect(t.client.metrics().counters.invalidFrames).to.equal(2);
  });

  it('gives a heartbeat ahead of its seq 2 s for the event to arrive before calling it a gap', async () => {
    const ws = await live();
    ws.send(heartbeat(11));
    await t.clock.advance(1000);
    ws.send(booking(11, 4));
    await t.clock.advance(5000);
    expect(ws.closedByClient).to.equal(false);
    ws.send(heartbeat(12));
    await t.clock.advance(2000);
    expect(t.codes()).to.deep.equal(['sequence-gap']);
    expect(ws.closedByClient).to.equal(true);
  });

  it('never lets an exception escape into the page', async () => {
    const ws = await live();
    for (const junk of [
      '',
      'null',
      '[]',
      '{}',
      '"x"',
      '1e309',
      JSON.stringify({ type: 'event', patch: null }),
    ]) {
      expect(() => ws.send(junk)).not.to.throw();
    }
    expect(t.client.state.snapshot!.seq).to.equal(10);
  });
});

describe('createDashboardClient: a session that changes hands', () => {
  it("ends when the token is another consultant's: no connection with it, the state kept and marked expired", async () => {
    let consultant = 'c-story';
    const t = setup(() => fakeJwt(consultant));
    try {
      const ws = await t.transport(0);
      ws.welcome(10);
      const before = t.client.state.snapshot;
      // The host signed someone else in; the connection drops and the client asks for a token.
      consultant = 'c-other';
      ws.fail();
      await t.clock.advance(60_000);
      await until(() => t.client.status === 'expired', 'expired');
      expect(t.fakes.created).to.have.length(1);
      expect(t.codes()).to.include('session-changed');
      expect(t.client.state.snapshot).to.equal(before);
    } finally {
      t.client.close();
    }
  });
});

describe('createDashboardClient: its transports', () => {
  for (const transports of [[], ['websockets'], ['websocket', 'carrier-pigeon']])
    it(`refuses transports [${transports.join(', ')}] at once, before any tab's election`, () => {
      let requested = 0;
      const locks = {
        request: () => {
          requested++;
          return new Promise(() => {});
        },
      } as unknown as LockManager;
      const create = () =>
        createDashboardClient(
          {
            endpoint: 'https://fg.example.com',
            getToken: () => 'token',
            transports: transports as TransportName[],
          },
          { locks },
        );
      expect(create).to.throw(TypeError, /transports/);
      expect(requested).to.equal(0);
    });
});

describe('createDashboardClient: where it sends tokens', () => {
  for (const endpoint of ['http://fg.example.com', 'http://10.0.0.5:8787', 'ftp://fg.example.com']) {
    it(`refuses ${endpoint} without ever asking for a token`, () => {
      let asked = false;
      const create = () =>
        createDashboardClient({
          endpoint,
          getToken: () => {
            asked = true;
            return 'secret';
          },
        });
      expect(create).to.throw(TypeError);
      expect(asked).to.equal(false);
    });
  }

  for (const endpoint of [
    'https://fg.example.com',
    'http://localhost:8787',
    'http://127.0.0.1:8787',
    'http://127.42.0.9',
    'http://[::1]:8787',
    'http://dashboard.localhost',
  ]) {
    it(`accepts ${endpoint}`, () => {
      const client = createDashboardClient(
        { endpoint, getToken: () => null, tabSync: false, eventTarget: new EventTarget() },
        { transports: fakeTransports().factories, navigate: () => {} },
      );
      client.close();
    });
  }
});

describe('createDashboardClient: a getToken() that hangs or fails as the page opens', () => {
  it('is given 10 s, reported, and asked again after the backoff: the tab then joins the tabs (here their leader) and connects', async () => {
    const clock = new ManualClock();
    const fakes = fakeTransports();
    const events = new EventTarget();
    const codes: string[] = [];
    events.addEventListener('fg-error', (e) => codes.push((e as CustomEvent<ClientErrorDetail>).detail.code));
    let calls = 0;
    // Tab sharing is on: the first token would name the lock to wait for.
    const client = createDashboardClient(
      {
        endpoint: 'https://fg.example.com',
        getToken: () => (++calls === 1 ? new Promise<string | null>(() => {}) : fakeJwt('c-story')),
        eventTarget: events,
      },
      { clock, random: () => 0, transports: fakes.factories, rungs: ['websocket'] },
    );
    try {
      await clock.advance(TOKEN_TIMEOUT_MS - 1);
      expect(fakes.created).to.have.length(0);
      expect(client.status).to.equal('connecting');
      await clock.advance(1);
      await until(() => fakes.created.length === 1, 'a connection');
      expect(codes).to.deep.equal(['token-unavailable']);
      // It named the lock with the second token and took it: one connection for the tabs.
      expect(calls).to.equal(2);
      expect(client.metrics().role).to.equal('leader');
      fakes.created[0]!.welcome();
      expect(client.status).to.equal('live');
    } finally {
      client.close();
    }
  });

  it('fails while the browser is offline: offline is shown, and `online` asks again at once, not after the backoff', async () => {
    const clock = new ManualClock();
    const fakes = fakeTransports();
    const page = new EventTarget();
    let online = false;
    let calls = 0;
    const client = createDashboardClient(
      {
        // Its own endpoint, so its own lock: the test before may still be letting go of its.
        endpoint: 'https://fg-offline.example.com',
        getToken: () => {
          calls++;
          if (!online) throw new TypeError('Failed to fetch');
          return fakeJwt('c-story');
        },
        eventTarget: new EventTarget(),
      },
      {
        clock,
        random: () => 0.5,
        transports: fakes.factories,
        rungs: ['websocket'],
        window: page,
        document: null,
        isOnline: () => online,
      },
    );
    try {
      await until(() => client.status === 'offline', 'offline shown');
      expect(calls).to.equal(1);
      // The next ask waits for the backoff (half of 500 ms here)...
      expect(clock.pending).to.deep.equal([250]);
      online = true;
      page.dispatchEvent(new Event('online'));
      // ...unless the network comes back first.
      await until(() => fakes.created.length === 1, 'a connection');
      expect(calls).to.equal(2);
      expect(clock.pending).not.to.include(250);
      fakes.created[0]!.welcome();
      expect(client.status).to.equal('live');
      expect(client.metrics().role).to.equal('leader');
    } finally {
      client.close();
    }
  });
});

describe('createDashboardClient: the lock the tabs share', () => {
  /** A client sharing its tabs' lock through `locks` (hand-driven), with the given endpoint. */
  function tabClient(
    endpoint: string,
    locks: Pick<LockManager, 'request' | 'query'>,
    options: Partial<DashboardClientOptions> = {},
    environment: ClientEnvironment = {},
  ) {
    const clock = new ManualClock();
    const fakes = fakeTransports();
    const client = createDashboardClient(
      { endpoint, getToken: () => fakeJwt('c-story'), eventTarget: new EventTarget(), ...options },
      {
        clock,
        random: () => 0,
        transports: fakes.factories,
        rungs: ['websocket'],
        locks: locks as LockManager,
        ...environment,
      },
    );
    return { client, clock, fakes };
  }
  const noLocks = () => Promise.resolve({ held: [], pending: [] });
  /**
   * The tab that leads, on the tabs' channel: it answers each request for the state with the
   * story's dashboard (seq 10), live by WebSocket, and what `more` adds; `asked` counts them.
   */
  function fakeLeader(endpoint: string, more: () => Record<string, unknown> = () => ({})) {
    const channel = new BroadcastChannel(lockName(parseEndpoint(endpoint), 'c-story'));
    const leader = { channel, asked: 0 };
    channel.onmessage = ({ data }) => {
      if (data.t !== 'sync') return;
      leader.asked++;
      channel.postMessage({
        t: 'state',
        snapshot: snapshot({ seq: 10 }),
        status: 'live',
        transport: 'websocket',
        ...more(),
      });
    };
    return leader;
  }

  it('takes the lock from a tab that holds it yet answers nothing (a dialog blocks it) after 3 requests in 3 s, and leads', async () => {
    const endpoint = 'https://fg-stuck.example.com';
    const name = lockName(parseEndpoint(endpoint), 'c-story');
    // The stuck tab: it holds the lock and never answers on the channel.
    let stolen: unknown;
    void navigator.locks
      .request(name, () => new Promise(() => {}))
      .catch((error: unknown) => (stolen = error));
    while (!(await navigator.locks.query()).held?.some((lock) => lock.name === name));
    const t = tabClient(endpoint, navigator.locks);
    try {
      await until(() => t.client.metrics().role === 'follower' && t.clock.pending.includes(1_000), 'waiting');
      await t.clock.advance(2_000);
      expect(t.fakes.created, 'two requests unanswered: still waiting').to.have.length(0);
      await t.clock.advance(1_000);
      await until(() => t.fakes.created.length === 1, 'a connection of its own, as the leader');
      expect(t.client.metrics().role).to.equal('leader');
      expect((stolen as DOMException | undefined)?.name).to.equal('AbortError');
      t.fakes.created[0]!.welcome();
      expect(t.client.status).to.equal('live');
    } finally {
      t.client.close();
    }
  });

  /**
   * A tab holding the lock and answering nothing (stuck), two following tabs of the same
   * consultant, each counting the times it takes the lock, and a channel that hears all they post.
   */
  async function stuckLeaderAndTwoTabs(endpoint: string) {
    const name = lockName(parseEndpoint(endpoint), 'c-story');
    let stolen: unknown;
    void navigator.locks
      .request(name, () => new Promise(() => {}))
      .catch((error: unknown) => (stolen = error));
    while (!(await navigator.locks.query()).held?.some((lock) => lock.name === name));
    const counted = () => {
      const locks = {
        steals: 0,
        request: ((lockName: string, options: LockOptions, callback: LockGrantedCallback<unknown>) => {
          if (options.steal) locks.steals++;
          return navigator.locks.request(lockName, options, callback);
        }) as LockManager['request'],
        query: () => navigator.locks.query(),
      };
      return locks;
    };
    const tabs = [counted(), counted()].map((locks) => ({ locks, ...tabClient(endpoint, locks) }));
    // Everything the tabs post, heard after they have heard it (a channel made later is told later).
    const channel = new BroadcastChannel(name);
    const heard: { t: string }[] = [];
    channel.onmessage = ({ data }) => heard.push(data);
    const waiting = (tab: (typeof tabs)[number]) =>
      tab.client.metrics().role === 'follower' && tab.clock.pending.includes(1_000);
    await until(() => tabs.every(waiting), 'both waiting');
    return {
      tabs: tabs as [(typeof tabs)[number], (typeof tabs)[number]],
      heard,
      stolen: () => stolen,
      close() {
        for (const tab of tabs) tab.client.close();
        channel.close();
      },
    };
  }

  it('two tabs find the leader stuck: the first takes the lock and tells the other, which follows it and takes nothing', async () => {
    const { tabs, heard, stolen, close } = await stuckLeaderAndTwoTabs('https://fg-two-takers.example.com');
    const [first, second] = tabs;
    try {
      // The second tab's third request goes to the stuck tab, unanswered.
      await second.clock.advance(2_000);
      // The first tab's third goes unanswered: it takes the lock, and connects.
      await first.clock.advance(3_000);
      await until(() => first.fakes.created.length === 1, 'the first tab leads');
      expect((stolen() as DOMException | undefined)?.name).to.equal('AbortError');
      await until(() => heard.some((message) => message.t !== 'sync'), 'the new leader speaks');
      // The second tab's third request times out after it heard the new leader.
      await second.clock.advance(1_000);
      expect(second.locks.steals, 'the second tab takes nothing').to.equal(0);
      expect(second.client.metrics().role).to.equal('follower');
      const ws = first.fakes.created[0]!;
      ws.welcome();
      await until(() => second.client.status === 'live', "the new leader's status");
      expect(first.client.metrics().role).to.equal('leader');
      expect(ws.closedByClient, 'one new connection, kept').to.equal(false);
      expect(first.locks.steals).to.equal(1);
      expect(second.fakes.created).to.have.length(0);
    } finally {
      close();
    }
  });

  it('two tabs find the leader stuck at the same moment: one takes the lock, the other follows it', async () => {
    const { tabs, close } = await stuckLeaderAndTwoTabs('https://fg-two-at-once.example.com');
    try {
      // Both tabs' third requests go unanswered at once: each sees the stuck tab hold the lock.
      await Promise.all(tabs.map((tab) => tab.clock.advance(3_000)));
      await until(() => tabs.some((tab) => tab.fakes.created.length === 1), 'a tab leads');
      const [taker, other] = tabs[0].fakes.created.length ? tabs : [tabs[1], tabs[0]];
      const ws = taker.fakes.created[0]!;
      ws.welcome();
      await until(() => other.client.status === 'live', "the new leader's status");
      // Its requests go on, and are answered: it counts nothing, and takes nothing.
      await other.clock.advance(3_000);
      expect(tabs.map((tab) => tab.locks.steals)).to.have.members([1, 0]);
      expect(other.client.metrics().role).to.equal('follower');
      expect(other.fakes.created).to.have.length(0);
      expect(ws.closedByClient, 'one new connection, kept').to.equal(false);
      expect(taker.client.metrics().role).to.equal('leader');
    } finally {
      close();
    }
  });

  it('a tab takes the lock only from the holder that left it unanswered: one that took it since is asked three times first', async () => {
    const endpoint = 'https://fg-new-holder.example.com';
    const name = lockName(parseEndpoint(endpoint), 'c-story');
    /** Another tab (a frame: its own Web Locks client), holding the lock and answering nothing. */
    const stuckTab = async (steal = false) => {
      const frame = document.createElement('iframe');
      frame.srcdoc = '<!doctype html>';
      const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
      document.body.append(frame);
      await loaded;
      const tab = { frame, lost: undefined as unknown };
      void frame
        .contentWindow!.navigator.locks.request(name, { steal }, () => new Promise(() => {}))
        .catch((error: unknown) => (tab.lost = error));
      return tab;
    };
    const holderId = async () =>
      (await navigator.locks.query()).held?.find((lock) => lock.name === name)?.clientId;
    const first = await stuckTab();
    while ((await holderId()) === undefined);
    const firstId = await holderId();
    let steals = 0;
    let looks = 0;
    const t = tabClient(endpoint, {
      request: ((lockName: string, options: LockOptions, callback: LockGrantedCallback<unknown>) => {
        if (options.steal) steals++;
        return navigator.locks.request(lockName, options, callback);
      }) as LockManager['request'],
      query: () => navigator.locks.query().finally(() => looks++),
    });
    let second: Awaited<ReturnType<typeof stuckTab>> | undefined;
    try {
      await until(() => t.client.metrics().role === 'follower' && t.clock.pending.includes(1_000), 'waiting');
      await t.clock.advance(2_000);
      // Another tab takes the lock from the stuck one, and says nothing either (yet).
      second = await stuckTab(true);
      await until(() => first.lost !== undefined, 'the lock taken from the stuck tab');
      expect((first.lost as DOMException).name).to.equal('AbortError');
      expect(await holderId()).not.to.equal(firstId);
      // The third request unanswered: the tab looks, and finds another holder than the one it asked.
      const before = looks;
      await t.clock.advance(1_000);
      await until(() => looks === before + 1, 'the tab looks at the holder');
      expect(steals, 'nothing taken from the new holder yet').to.equal(0);
      expect(second.lost).to.equal(undefined);
      // Three requests unanswered by the new holder: it is stuck too.
      await t.clock.advance(3_000);
      await until(() => t.fakes.created.length === 1, 'a connection of its own, as the leader');
      expect(steals).to.equal(1);
      await until(() => second!.lost !== undefined, 'the lock taken from the new holder');
      expect((second.lost as DOMException).name).to.equal('AbortError');
    } finally {
      t.client.close();
      first.frame.remove();
      second?.frame.remove();
    }
  });

  it('a leader whose lock was taken (it could not answer) lets its connection go and follows again; it takes the lock back from a holder that answers nothing', async () => {
    const endpoint = 'https://fg-deposed.example.com';
    const name = lockName(parseEndpoint(endpoint), 'c-story');
    const t = tabClient(endpoint, navigator.locks);
    try {
      await until(() => t.fakes.created.length === 1, 'leading');
      const first = t.fakes.created[0]!;
      first.welcome();
      expect(t.client.metrics().role).to.equal('leader');
      // Another tab takes the lock (and then answers nothing).
      let takenBack: unknown;
      void navigator.locks
        .request(name, { steal: true }, () => new Promise(() => {}))
        .catch((error: unknown) => (takenBack = error));
      await until(() => t.client.metrics().role === 'follower', 'deposed');
      expect(first.closedByClient, 'its connection let go').to.equal(true);
      await until(() => t.clock.pending.includes(1_000), 'asking the new leader');
      await t.clock.advance(3_000);
      await until(() => t.fakes.created.length === 2, 'leading again');
      expect(t.client.metrics().role).to.equal('leader');
      expect((takenBack as DOMException | undefined)?.name).to.equal('AbortError');
    } finally {
      t.client.close();
    }
  });

  it('a lock the browser refuses (a sandboxed frame) leaves the tab connecting for itself', async () => {
    const refused = () =>
      Promise.reject(new DOMException('Access to the Locks API is denied', 'SecurityError'));
    const t = tabClient('https://fg-refused.example.com', { request: refused, query: refused });
    try {
      await until(() => t.fakes.created.length > 0, 'a connection of its own');
      const ws = t.fakes.created[0]!;
      ws.welcome();
      expect(t.client.status).to.equal('live');
      expect(t.client.metrics().role).to.equal('solo');
    } finally {
      t.client.close();
    }
  });

  /**
   * Web Locks as WebKit has them around its back/forward cache: as it puts the page there, it
   * lets go of the lock the page holds and rejects every request, held or waiting, with an
   * AbortError, which the page hears once restored. Real Web Locks reject a waiting request
   * only when its own signal aborts, so `goAway()` aborts each request with that error, and
   * ends the hold of a granted one with it.
   */
  function pageCache() {
    const requests = new Set<(reason: unknown) => void>();
    const request = (name: string, options: LockOptions, callback: LockGrantedCallback<unknown>) => {
      const controller = new AbortController();
      const { signal } = options;
      signal?.addEventListener('abort', () => controller.abort(signal.reason));
      let drop!: (reason: unknown) => void;
      const dropped = new Promise<never>((_, reject) => (drop = reject));
      dropped.catch(() => {});
      const goAway = (reason: unknown) => {
        controller.abort(reason);
        drop(reason);
      };
      requests.add(goAway);
      // A request that takes the lock from its holder cannot have a signal.
      const own = options.steal ? {} : { signal: controller.signal };
      return navigator.locks
        .request(name, { ...options, ...own }, (lock) => Promise.race([callback(lock), dropped]))
        .finally(() => requests.delete(goAway));
    };
    return {
      request: request as LockManager['request'],
      query: () => navigator.locks.query(),
      goAway() {
        const error = new DOMException(
          'Promise was rejected because the browsing context is going away',
          'AbortError',
        );
        for (const goAway of [...requests]) goAway(error);
      },
    };
  }

  /** The requests waiting for the lock `name`. */
  const waitingFor = async (name: string) =>
    ((await navigator.locks.query()).pending ?? []).filter((lock) => lock.name === name).length;

  /** The leading tab closes (its channel and lock): the lock comes to `t`, which leads, on one connection. */
  async function leadsWhenTheLeaderCloses(
    t: ReturnType<typeof tabClient>,
    leader: ReturnType<typeof fakeLeader>,
    other: { release(): void },
  ): Promise<void> {
    leader.channel.close();
    other.release();
    await until(() => t.fakes.created.length === 1, 'leading');
    expect(t.client.metrics().role).to.equal('leader');
    expect(t.fakes.created).to.have.length(1);
  }

  it('a follower whose request for the lock the browser drops (WebKit, putting the page in its back/forward cache) waits for it again once restored: no connection of its own', async () => {
    const endpoint = 'https://fg-page-cache.example.com';
    const name = lockName(parseEndpoint(endpoint), 'c-story');
    const other = await holder(name);
    const leader = fakeLeader(endpoint);
    const locks = pageCache();
    const t = tabClient(endpoint, locks);
    try {
      await until(() => t.client.status === 'live' && leader.asked === 1, "the leader's state");
      expect(await waitingFor(name)).to.equal(1);
      locks.goAway();
      // Restored, it asks the leader how things stand (or, wrongly, connects for itself).
      await until(() => leader.asked === 2 || t.fakes.created.length > 0, 'back among the tabs');
      expect(t.fakes.created, 'no connection of its own').to.have.length(0);
      expect(t.client.metrics().role).to.equal('follower');
      expect(await waitingFor(name), 'waiting for the lock again').to.equal(1);
      await leadsWhenTheLeaderCloses(t, leader, other);
    } finally {
      t.client.close();
      leader.channel.close();
      other.release();
    }
  });

  it('a leader whose lock the browser lets go (WebKit, putting the page in its back/forward cache) lets its connection go and follows the tab granted the lock', async () => {
    const endpoint = 'https://fg-page-cache-leader.example.com';
    const name = lockName(parseEndpoint(endpoint), 'c-story');
    const locks = pageCache();
    const t = tabClient(endpoint, locks);
    let release: (() => void) | undefined;
    let leader: ReturnType<typeof fakeLeader> | undefined;
    try {
      await until(() => t.fakes.created.length === 1, 'leading');
      const ws = t.fakes.created[0]!;
      ws.welcome();
      // Another tab waits for the lock, and answers on the channel once granted.
      leader = fakeLeader(endpoint);
      let granted = false;
      const held = new Promise<void>((resolve) => (release = resolve));
      void navigator.locks.request(name, () => ((granted = true), held));
      while ((await waitingFor(name)) !== 1);
      locks.goAway();
      await until(() => granted, 'the other tab granted the lock');
      await until(() => t.client.metrics().role === 'follower', 'following');
      expect(ws.closedByClient, 'its connection let go').to.equal(true);
      await until(() => leader!.asked === 1 && t.client.status === 'live', "the new leader's state");
      expect(t.fakes.created).to.have.length(1);
      expect(await waitingFor(name), 'waiting for the lock again').to.equal(1);
    } finally {
      t.client.close();
      leader?.channel.close();
      release?.();
    }
  });

  it('a follower shown again from the back/forward cache waits for the lock afresh and asks for the state', async () => {
    const endpoint = 'https://fg-pageshow.example.com';
    const name = lockName(parseEndpoint(endpoint), 'c-story');
    const other = await holder(name);
    const leader = fakeLeader(endpoint);
    const page = new EventTarget();
    const t = tabClient(endpoint, navigator.locks, {}, { window: page });
    try {
      await until(() => t.client.status === 'live' && leader.asked === 1, "the leader's state");
      // Shown as it loads: nothing to do.
      page.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: false }));
      page.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
      await until(() => leader.asked === 2, 'asks for the state');
      expect(await waitingFor(name), 'one request for the lock, the old one withdrawn').to.equal(1);
      expect(t.client.metrics().role).to.equal('follower');
      await leadsWhenTheLeaderCloses(t, leader, other);
    } finally {
      t.client.close();
      leader.channel.close();
      other.release();
    }
  });

  it('a gap a heartbeat suggested as a follower is left to the connection it opens on taking the lead', async () => {
    const endpoint = 'https://fg-promoted.example.com';
    let grant!: () => void;
    const granted = new Promise<void>((resolve) => (grant = resolve));
    const t = tabClient(endpoint, {
      request: ((_name: string, _options: LockOptions, leads: () => Promise<void>) =>
        granted.then(leads)) as LockManager['request'],
      query: noLocks as LockManager['query'],
    });
    const leader = fakeLeader(endpoint).channel;
    try {
      await until(() => t.client.state.snapshot?.seq === 10, 'the state from the leader');
      // A heartbeat ahead of its event, then the leading tab closes.
      leader.postMessage({ t: 'frame', frame: heartbeat(11) });
      await until(() => t.client.metrics().counters.gaps === 1, 'the heartbeat');
      leader.close();
      grant();
      await until(() => t.fakes.created.length > 0, 'its own connection');
      const ws = t.fakes.created[0]!;
      // The server takes 3 s to answer: within the 5 s to open, past the heartbeat's 2 s of grace.
      await t.clock.advance(3_000);
      expect(ws.closedByClient).to.equal(false);
      ws.welcome(11); // the replay brings seq 11
      expect(t.client.state.snapshot!.seq).to.equal(11);
      expect(t.client.metrics().counters.resyncs).to.equal(0);
    } finally {
      t.client.close();
      leader.close();
    }
  });
  it("a follower reports a problem once per incident: again once the leader's connection has been live again", async () => {
    const endpoint = 'https://fg-incidents.example.com';
    const events = new EventTarget();
    const codes: string[] = [];
    events.addEventListener('fg-error', (e) => codes.push((e as CustomEvent<ClientErrorDetail>).detail.code));
    // Another tab holds the lock for as long as the test runs.
    const t = tabClient(
      endpoint,
      {
        request: (() => new Promise(() => {})) as LockManager['request'],
        query: noLocks as LockManager['query'],
      },
      { eventTarget: events },
    );
    const leader = fakeLeader(endpoint);
    try {
      await until(() => t.client.state.snapshot?.seq === 10, 'the state from the leader');
      const bad = { t: 'frame', frame: { ...booking(11, 4), seq: 0 } };
      leader.channel.postMessage(bad);
      await until(() => codes.length === 1 && leader.asked === 2, 'reported, and the state asked for');
      leader.channel.postMessage(bad);
      await until(() => leader.asked === 3, 'the state asked for again');
      expect(codes, 'the same incident').to.deep.equal(['invalid-frame']);
      leader.channel.postMessage({ t: 'status', status: 'reconnecting', transport: null });
      leader.channel.postMessage({ t: 'status', status: 'live', transport: 'websocket' });
      leader.channel.postMessage(bad);
      await until(() => leader.asked === 4, 'the state asked for once more');
      expect(codes, 'a new incident').to.deep.equal(['invalid-frame', 'invalid-frame']);
    } finally {
      t.client.close();
      leader.channel.close();
    }
  });

  it('a follower that slept with its timers paused shows stale within 5 s of waking and asks the leader how things stand, until it is live again; it connects to nothing', async () => {
    const endpoint = 'https://fg-asleep.example.com';
    // Another tab holds the lock for as long as the test runs.
    const t = tabClient(endpoint, {
      request: (() => new Promise(() => {})) as LockManager['request'],
      query: noLocks as LockManager['query'],
    });
    // The leader slept too: once awake, it says its connection is stale until it is back.
    let status = 'live';
    const fake = fakeLeader(endpoint, () => ({ status, l: 25_000 }));
    const leader = fake.channel;
    try {
      await until(() => t.client.status === 'live', "the leader's status");
      t.clock.sleep(3 * 3_600_000);
      status = 'stale';
      // Its watchdog's silence timer, paused too, would run 25 s after the state came.
      await t.clock.advance(WAKE_TICK_MS - 1);
      expect(t.client.status, 'no timer has run since waking').to.equal('live');
      await t.clock.advance(1);
      expect(t.client.status).to.equal('stale');
      await until(() => fake.asked === 2, 'the follower asks the leader');
      // Answered: no request waits to be asked again (the watchdog watches the leader anew).
      await until(() => !t.clock.pending.includes(1_000), 'the answer');
      expect(t.client.status).to.equal('stale');
      leader.postMessage({ t: 'status', status: 'live', transport: 'websocket', l: 25_000 });
      leader.postMessage({ t: 'frame', frame: heartbeat(10) });
      await until(() => t.client.status === 'live', "the leader's status again");
      expect(t.fakes.created).to.have.length(0);
      expect(t.client.metrics().role).to.equal('follower');
    } finally {
      t.client.close();
      leader.close();
    }
  });

  /** Another tab holding the lock (taking it from its holder with `steal`) until `release()`. */
  async function holder(name: string, steal = false) {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    void navigator.locks.request(name, { steal }, () => held).catch(() => {});
    while (!(await navigator.locks.query()).held?.some((lock) => lock.name === name));
    return { release };
  }

  it('a tab that followed, led, and lost the lock while it could not answer still ends its own session when its page has no token', async () => {
    const endpoint = 'https://fg-deposed-session.example.com';
    const name = lockName(parseEndpoint(endpoint), 'c-story');
    let ended = false;
    let calls = 0;
    const expired: Event[] = [];
    const events = new EventTarget();
    events.addEventListener('fg-session-expired', (e) => expired.push(e));
    // The page's session: 60 s tokens, until it ends.
    const clock = { now: () => 0 };
    const getToken = () => (
      calls++,
      ended ? null : fakeJwt('c-story', calls, Math.floor((clock.now() + 60_000) / 1000))
    );
    const first = await holder(name);
    const firstLeader = fakeLeader(endpoint);
    const t = tabClient(endpoint, navigator.locks, { getToken, eventTarget: events });
    clock.now = () => t.clock.now();
    let second: { release(): void } | undefined;
    let secondLeader: ReturnType<typeof fakeLeader> | undefined;
    try {
      await until(() => t.client.status === 'live' && t.client.metrics().role === 'follower', 'following');
      // The leading tab closes: this one leads.
      firstLeader.channel.close();
      first.release();
      await until(() => t.fakes.created.length === 1, 'leading');
      t.fakes.created[0]!.welcome();
      // Another tab takes the lock and leads; it allows 10 min of silence.
      secondLeader = fakeLeader(endpoint, () => ({ l: 600_000, snapshot: snapshot({ seq: 11 }) }));
      second = await holder(name, true);
      await until(() => t.client.metrics().role === 'follower', 'following');
      // Its state taken (the leader's seq 11): from then on the tab watches its own token.
      await until(() => t.client.state.snapshot?.seq === 11, "the new leader's state");
      expect(t.client.status).to.equal('live');
      // The page's session ends. Its token expires within a minute; asked then, the page has none.
      ended = true;
      const before = calls;
      for (let i = 0; i < 120; i++) await t.clock.advance(1_000);
      expect(calls, 'the page was asked again as its token expired').to.be.greaterThan(before);
      expect(t.client.status).to.equal('expired');
      expect(expired).to.have.length(1);
    } finally {
      t.client.close();
      secondLeader?.channel.close();
      second?.release();
      first.release();
    }
  });

  it("what a leader posts before it hears it lost the lock (stuck, then running again) holds only until the new leader's next frame in the other tabs", async () => {
    const endpoint = 'https://fg-deposed-status.example.com';
    const name = lockName(parseEndpoint(endpoint), 'c-story');
    const stuck = tabClient(endpoint, navigator.locks);
    // Another follower, waiting for the lock behind everyone for the whole test.
    const other = tabClient(endpoint, {
      request: (() => new Promise(() => {})) as LockManager['request'],
      query: noLocks as LockManager['query'],
    });
    const seen: string[] = [];
    other.client.addEventListener('status', () => seen.push(other.client.status));
    // The tab that takes the lock from the stuck one, on the tabs' channel.
    const taker = fakeLeader(endpoint).channel;
    let release: (() => void) | undefined;
    try {
      await until(() => stuck.fakes.created.length === 1, 'the first tab leads');
      stuck.fakes.created[0]!.welcome(10, 'e1', 1000);
      await until(() => other.client.status === 'live', 'the other tab follows it');
      // The first tab is stuck; another takes the lock, connects and says so. The stuck tab runs
      // again: its overdue watchdog finds its socket silent, and it says so too, late.
      const held = new Promise<void>((resolve) => (release = resolve));
      void navigator.locks.request(name, { steal: true }, () => held).catch(() => {});
      taker.postMessage({ t: 'status', status: 'reconnecting', transport: null });
      taker.postMessage({ t: 'status', status: 'live', transport: 'websocket' });
      void stuck.clock.advance(11_000);
      await until(() => stuck.client.metrics().role === 'follower', 'the stuck tab hears it lost the lock');
      await until(() => seen.includes('stale'), 'the late word reaches the other tab');
      const frames = other.client.metrics().counters.framesReceived;
      taker.postMessage({ t: 'frame', frame: heartbeat(10) });
      await until(() => other.client.metrics().counters.framesReceived > frames, "the new leader's frame");
      expect(other.client.status).to.equal('live');
    } finally {
      stuck.client.close();
      other.client.close();
      taker.close();
      release?.();
    }
  });

  /** A tab that follows for as long as the test runs (another holds the lock), and the session ends it heard of. */
  function follower(endpoint: string, getToken: () => string) {
    const events = new EventTarget();
    const expired: Event[] = [];
    events.addEventListener('fg-session-expired', (e) => expired.push(e));
    const t = tabClient(
      endpoint,
      {
        request: (() => new Promise(() => {})) as LockManager['request'],
        query: noLocks as LockManager['query'],
      },
      { getToken, eventTarget: events },
    );
    return { ...t, expired };
  }

  it("a follower whose page clock runs ahead does not end its session before it knows the server's clock", async () => {
    const endpoint = 'https://fg-fast-clock.example.com';
    // This tab's clock is 10 minutes ahead of the server's; the leader has heard nothing yet.
    const AHEAD = 600_000;
    let calls = 0;
    // Every token fresh by the server's clock: 5 minutes left.
    const t = follower(endpoint, () => fakeJwt('c-story', calls++, (t.clock.now() - AHEAD + 300_000) / 1000));
    const leader = fakeLeader(endpoint, () => ({ snapshot: null, status: 'reconnecting' })).channel;
    try {
      await until(() => calls > 0 && t.clock.pending.length > 0, 'the follower watching its token');
      await t.clock.advance(60_000);
      expect(t.client.status).not.to.equal('expired');
      expect(t.expired).to.have.length(0);
    } finally {
      t.client.close();
      leader.close();
    }
  });

  it("a follower asks its page again as its own token expires, by the server's clock: a fresh one carries on; the expired one back is asked for in 2, 4 and 8 s, then its session ends", async () => {
    const endpoint = 'https://fg-own-session.example.com';
    // The server's clock is an hour ahead of this tab's: the leader's state says so.
    const AHEAD = 3_600_000;
    let calls = 0;
    let token = '';
    const t = follower(endpoint, () => (calls++, token));
    const { expired } = t;
    /** A token that expires `ms` from now, by the server's clock. */
    const expiring = (ms: number) => fakeJwt('c-story', calls, (t.clock.now() + AHEAD + ms) / 1000);
    token = expiring(10_000);
    const leader = fakeLeader(endpoint, () => ({ o: AHEAD })).channel;
    try {
      await until(() => t.client.status === 'live', "the leader's status");
      expect(calls).to.equal(1);
      // The page renews: asked as the token expires, it has a fresh one.
      token = expiring(20_000);
      await t.clock.advance(9_999);
      expect(calls).to.equal(1);
      await t.clock.advance(1);
      await until(() => t.clock.pending.includes(10_000), 'the fresh token watched');
      expect(calls).to.equal(2);
      expect(t.client.status).to.equal('live');
      // The page's cache holds on to that token past its expiry.
      await t.clock.advance(10_000);
      expect(calls).to.equal(3);
      for (const wait of [2_000, 4_000, 8_000]) {
        await until(() => t.clock.pending.includes(wait), `asked again in ${wait} ms`);
        const asked = calls;
        await t.clock.advance(wait - 1);
        expect(calls).to.equal(asked);
        expect(t.client.status).not.to.equal('expired');
        await t.clock.advance(1);
        expect(calls).to.equal(asked + 1);
      }
      await until(() => t.client.status === 'expired', 'expired');
      expect(expired).to.have.length(1);
      expect(t.clock.pending, 'it left the tabs').to.deep.equal([]);
      expect(t.fakes.created, 'it never connected').to.have.length(0);
    } finally {
      t.client.close();
      leader.close();
    }
  });
});
