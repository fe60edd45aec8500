import { expect } from '@open-wc/testing';
import { Limits } from '@fg/protocol';
import type { ClientEnvironment } from '../client.js';
import type { DashboardClient, DashboardClientOptions } from '../types.js';
import { ManualClock } from '../test/manual-clock.js';
import { expectCurrent } from '../test/harness.js';
import { advanceServerClock, env, fault, simulate, token, until } from '../test/server.js';
import { parseEndpoint } from '../auth/endpoint.js';
import { lockName } from './tab-leader.js';
import { PROBE_BASE_MS } from '../transport/ladder.js';
import { booking, heartbeat, snapshotFrame } from '../test/frames.js';
import type { RelayMessage } from './relay.js';

/** Consultant used only here, so the lock and channel names are this file's alone. */
const CONSULTANT = 'c-busy';
/** The name of this consultant's lock, and of its tabs' channel. */
const LOCK = lockName(parseEndpoint(env.proxyUrl), CONSULTANT);

interface Tab {
  readonly frame: HTMLIFrameElement;
  readonly client: DashboardClient;
  readonly clock: ManualClock;
}

type Library = { createDashboardClient(o: DashboardClientOptions, e?: ClientEnvironment): DashboardClient };
let tabCount = 0;

/**
 * A same-origin iframe with its own copy of the library: its own realm, module graph and
 * client, sharing Web Locks and BroadcastChannels with the other tabs of this origin, as
 * two tabs of one browser do. The environment may be made from the frame's window (its own
 * Web Locks, which the browser releases when the frame goes).
 */
async function openTab(
  environment: ClientEnvironment | ((frame: Window) => ClientEnvironment) = {},
  options: Partial<DashboardClientOptions> = {},
): Promise<Tab> {
  const id = `fgTab${++tabCount}`;
  const loaded = new Promise<Library>(
    (resolve) => ((window as unknown as Record<string, unknown>)[id] = resolve),
  );
  const frame = document.createElement('iframe');
  frame.srcdoc = `<script type="module">
    import * as library from '/packages/realtime/src/index.ts';
    parent.${id}(library);
  </script>`;
  document.body.append(frame);
  const library = await loaded;
  const clock = new ManualClock();
  const client = library.createDashboardClient(
    { endpoint: env.proxyUrl, getToken: () => token(CONSULTANT), eventTarget: new EventTarget(), ...options },
    {
      clock,
      random: () => 0,
      ...(typeof environment === 'function' ? environment(frame.contentWindow!) : environment),
    },
  );
  return { frame, client, clock };
}

function closeTab(tab: Tab): void {
  // Removing the frame destroys its document: the browser releases its lock, as when a tab closes.
  tab.frame.remove();
}

const live = (tab: Tab) => tab.client.status === 'live' && tab.client.state.snapshot !== null;

describe('tabs share one connection (Web Locks + BroadcastChannel)', () => {
  const tabs: Tab[] = [];
  beforeEach(() => fault({ reset: true }));
  afterEach(async () => {
    for (const tab of tabs.splice(0)) closeTab(tab);
    // A closed tab's lock goes a moment later: a test whose first tab found it still held
    // would begin as a follower of a tab that is gone.
    let held = true;
    while (held) {
      const { held: holders = [], pending = [] } = await navigator.locks.query();
      held = [...holders, ...pending].some((lock) => lock.name === LOCK);
      if (held) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await fault({ reset: true });
  });

  async function twoTabs(): Promise<[Tab, Tab]> {
    const first = await openTab();
    tabs.push(first);
    await until(() => live(first), 'first tab live');
    const second = await openTab();
    tabs.push(second);
    await until(() => live(second), 'second tab live');
    return [first, second];
  }

  it('one leader holds the only connection; a new tab gets the state from it and every frame after', async () => {
    const [leader, follower] = await twoTabs();
    expect(leader.client.metrics().role).to.equal('leader');
    expect(follower.client.metrics().role).to.equal('follower');
    expect(follower.client.state.transport).to.equal('websocket');
    const proxy = await fault();
    expect(proxy.liveWebSockets).to.equal(1);
    expect(proxy.sseOpened).to.equal(0);

    const { seq } = await simulate(CONSULTANT, 'book', { familyName: 'Seen in both tabs' });
    await until(() => follower.client.state.snapshot!.seq >= seq, 'follower has the booking');
    await expectCurrent(leader.client, CONSULTANT);
    await expectCurrent(follower.client, CONSULTANT);
    expect(follower.client.state.snapshot).to.deep.equal(leader.client.state.snapshot);
    expect((await fault()).webSocketsOpened).to.equal(1);
  });

  it('an event the leader cannot apply (out of order) is not relayed: the other tab neither sees it nor fetches the state for it', async () => {
    const [leader, follower] = await twoTabs();
    const { epoch, seq } = leader.client.state.snapshot!;
    const ahead = { ...booking(seq + 2, 99, epoch), at: Date.now() };
    await fault({ action: 'inject', kind: 'websocket', frame: JSON.stringify(ahead) });
    await until(() => leader.client.metrics().counters.gaps === 1, 'the leader sees the gap');
    // It resumes from its cursor (its retry waits on its clock).
    await leader.clock.advance(1000);
    await until(() => live(leader), 'the leader live again');
    // The next real event reaches the follower after anything the leader posted before it.
    const next = await simulate(CONSULTANT, 'add-task', { title: 'After the gap' });
    await until(() => follower.client.state.snapshot!.seq >= next.seq, 'the follower has the next event');
    const { counters } = follower.client.metrics();
    expect(counters.gaps).to.equal(0);
    expect(counters.resyncs).to.equal(0);
    expect(follower.client.state.snapshot!.counts.upcoming).not.to.equal(99);
    await expectCurrent(follower.client, CONSULTANT);
  });

  it('a heartbeat that overtook its event is given 2 s in the other tab too, not taken for a gap', async () => {
    const [leader, follower] = await twoTabs();
    const { epoch, seq } = leader.client.state.snapshot!;
    const ahead = { ...heartbeat(seq + 1, epoch), serverTime: Date.now() };
    await fault({ action: 'inject', kind: 'websocket', frame: JSON.stringify(ahead) });
    await until(
      () => follower.client.metrics().counters.gaps === 1 && leader.client.metrics().counters.gaps === 1,
      'both tabs see the heartbeat ahead of them',
    );
    const next = await simulate(CONSULTANT, 'add-task', { title: 'Overtaken by its heartbeat' });
    expect(next.seq).to.equal(seq + 1);
    await until(() => follower.client.state.snapshot!.seq >= next.seq, 'the follower has the event');
    await follower.clock.advance(2_000);
    await leader.clock.advance(2_000);
    for (const tab of [leader, follower]) {
      expect(tab.client.metrics().counters.resyncs, tab.client.metrics().role).to.equal(0);
      await expectCurrent(tab.client, CONSULTANT);
    }
  });

  it('a tab that asks for the state before the browser lists its lock request still gets every frame', async () => {
    // The browser lists a tab's lock request a moment after the tab asked for the state
    // (Chromium first checks the frame's storage access): a leader that looks at the tabs
    // waiting for its lock meanwhile finds none. Here it looks at each frame of a poll, which
    // only this test's clock makes.
    let blind = false;
    let looks = 0;
    const leader = await openTab(
      (frame) => {
        const { locks } = frame.navigator;
        const query = async () => {
          const answer = await locks.query();
          looks++;
          return blind ? { ...answer, pending: [] } : answer;
        };
        return { rungs: ['interval'], locks: { request: locks.request.bind(locks), query } as LockManager };
      },
      { transports: ['polling'] },
    );
    tabs.push(leader);
    await until(() => live(leader), 'leader live');
    blind = true;
    const follower = await openTab();
    tabs.push(follower);
    await until(() => live(follower), 'follower live');
    // The next poll's heartbeat: the leader looks, and the follower's request is not listed yet.
    const before = looks;
    await leader.clock.advance(30_000);
    await until(() => looks > before, 'the leader looks at the waiting tabs');
    blind = false;
    const { seq } = await simulate(CONSULTANT, 'book', { familyName: 'Listed late' });
    await leader.clock.advance(30_000);
    await until(() => leader.client.state.snapshot!.seq >= seq, 'the leader has the booking');
    await until(() => follower.client.state.snapshot!.seq >= seq, 'the follower has the booking');
    expect(follower.client.metrics().counters.gaps).to.equal(0);
  });

  it('tabs opened together: the one granted the lock relays its first state to the one that asked before it led', async () => {
    // Another holder keeps the lock while both tabs open, wait for it and ask for the state.
    let release!: () => void;
    const holding = new Promise<void>((resolve) => (release = resolve));
    let granted!: () => void;
    const held = new Promise<void>((resolve) => (granted = resolve));
    void navigator.locks.request(LOCK, () => (granted(), holding));
    await held;
    const channel = new BroadcastChannel(LOCK);
    let asks = 0;
    channel.onmessage = (event: MessageEvent<RelayMessage>) => void (event.data.t === 'sync' && asks++);
    // As the lock is granted, the browser does not list the other tab's request yet.
    let blind = true;
    try {
      const first = await openTab((frame) => {
        const { locks } = frame.navigator;
        const query = async () => {
          const answer = await locks.query();
          return blind ? { ...answer, pending: [] } : answer;
        };
        return { locks: { request: locks.request.bind(locks), query } as LockManager };
      });
      tabs.push(first);
      await until(() => asks === 1, 'the first tab asks');
      const second = await openTab();
      tabs.push(second);
      await until(() => asks === 2, 'the second tab asks');
      release();
      await until(() => live(first), 'the first tab leads and is live');
      blind = false;
      // Its welcome and snapshot, or (not relayed) the heartbeats after them.
      await until(() => second.client.metrics().counters.framesReceived >= 2, 'frames relayed');
      expect(second.client.state.snapshot, 'the second tab has the state').not.to.equal(null);
    } finally {
      release();
      channel.close();
    }
  });

  it('marking a message read in one tab shows in the other', async () => {
    const [leader, follower] = await twoTabs();
    const { seq } = await simulate(CONSULTANT, 'message', { familyName: 'Two Tabs', text: 'Read me once' });
    await until(
      () => leader.client.state.snapshot!.seq >= seq && follower.client.state.snapshot!.seq >= seq,
      'message',
    );
    const message = follower.client.state.snapshot!.recentMessages[0]!;
    expect(message.read).to.equal(false);
    await follower.client.markMessageRead(message.id);
    const isRead = (tab: Tab) =>
      tab.client.state.snapshot!.recentMessages.find((m) => m.id === message.id)?.read;
    await until(() => isRead(leader) === true && isRead(follower) === true, 'read in both tabs');
  });

  it('when the leader closes, the follower takes over and resumes from its own cursor, losing nothing', async () => {
    const [leader, follower] = await twoTabs();
    const applied = follower.client.metrics().counters.eventsApplied;
    // Keep the new leader off the network while events are written, so it must resume them.
    await fault({ websocket: 'refuse', stream: 'refuse', changes: 'refuse' });
    closeTab(leader);
    tabs.splice(tabs.indexOf(leader), 1);
    await until(() => follower.client.metrics().role === 'leader', 'follower took the lock');
    // It has state: it is reconnecting, not connecting for the first time.
    expect(follower.client.status).to.equal('reconnecting');
    // Every rung refused, its retry waits on the tab's clock (at 0 ms: its randomness is 0).
    await until(() => follower.clock.pending.includes(0), 'every rung refused, the retry set');
    const written: unknown[] = [];
    for (let i = 0; i < 3; i++)
      written.push(await simulate(CONSULTANT, 'associate-family', { familyName: `Handover ${i}` }));
    await fault({ websocket: 'pass', stream: 'pass', changes: 'pass' });
    await follower.clock.advance(1000);
    await until(() => follower.client.status === 'live', 'new leader live');
    await expectCurrent(follower.client, CONSULTANT);
    const { counters } = follower.client.metrics();
    expect(counters.eventsApplied - applied).to.equal(3);
    // Three events applied one by one (not a snapshot), none twice: resumed from its own cursor.
    expect(counters.duplicates).to.equal(0);
    expect(counters.gaps).to.equal(0);
  });

  it('a third tab follows the new leader after a handover', async () => {
    const [leader, second] = await twoTabs();
    closeTab(leader);
    tabs.splice(tabs.indexOf(leader), 1);
    await until(() => second.client.metrics().role === 'leader' && live(second), 'second tab leads');
    const third = await openTab();
    tabs.push(third);
    await until(() => live(third), 'third tab live');
    expect(third.client.metrics().role).to.equal('follower');
    const { seq } = await simulate(CONSULTANT, 'payment', { amountMinor: 2_500 });
    await until(() => third.client.state.snapshot!.seq >= seq, 'third tab has the payment');
    expect((await fault()).liveWebSockets).to.equal(1);
  });

  it('a follower that joined under the old leader gets every frame from the new one', async () => {
    const [leader, second] = await twoTabs();
    const third = await openTab();
    tabs.push(third);
    await until(() => live(third), 'third tab live');
    closeTab(leader);
    tabs.splice(tabs.indexOf(leader), 1);
    const leads = (tab: Tab) => tab.client.metrics().role === 'leader' && live(tab);
    await until(() => leads(second) || leads(third), 'a new leader');
    const [next, other] = leads(second) ? [second, third] : [third, second];
    // It never heard the other follower ask for anything: it found it waiting for the lock.
    expect(next.client.metrics().relaying).to.equal(true);
    const { seq } = await simulate(CONSULTANT, 'book', { familyName: 'After the handover' });
    await until(() => other.client.state.snapshot!.seq >= seq, 'the older follower has the booking');
    await expectCurrent(other.client, CONSULTANT);
  });

  it('a tab alone posts no frames; once another tab waits for its lock and asks, it relays every one', async () => {
    const alone = await openTab();
    tabs.push(alone);
    await until(() => live(alone) && !alone.client.metrics().relaying, 'alone, and knows it');
    const channel = new BroadcastChannel(LOCK);
    const heard: RelayMessage[] = [];
    channel.onmessage = (event: MessageEvent<RelayMessage>) => heard.push(event.data);
    const waiting = new AbortController();
    try {
      const first = await simulate(CONSULTANT, 'book', { familyName: 'Nobody else listens' });
      await until(() => alone.client.state.snapshot!.seq >= first.seq, 'the tab has the booking');
      // Join as a tab does: wait for the lock, then ask for the state. Messages from one tab
      // arrive in order, so a frame relayed before the answer would be heard before it.
      void navigator.locks
        .request(LOCK, { signal: waiting.signal }, () => new Promise(() => {}))
        .catch(() => {});
      channel.postMessage({ t: 'sync' } satisfies RelayMessage);
      await until(() => heard.some((m) => m.t === 'state'), 'the leader answers');
      // The booking, heard while alone, was never posted. (A heartbeat may be: once the lock
      // has a waiting tab, the leader counts it at the next heartbeat and relays from there.)
      expect(heard.filter((m) => m.t === 'frame' && m.frame.type === 'event')).to.deep.equal([]);
      expect(alone.client.metrics().relaying).to.equal(true);

      const second = await simulate(CONSULTANT, 'book', { familyName: 'Now someone listens' });
      await until(
        () => heard.some((m) => m.t === 'frame' && m.frame.type === 'event' && m.frame.seq === second.seq),
        'the frame relayed',
      );
    } finally {
      waiting.abort();
      channel.close();
    }
  });

  it('without Web Locks, every tab connects for itself', async () => {
    const first = await openTab({ locks: null });
    const second = await openTab({ locks: null });
    tabs.push(first, second);
    await until(() => live(first) && live(second), 'both live');
    expect(first.client.metrics().role).to.equal('solo');
    expect(second.client.metrics().role).to.equal('solo');
    expect((await fault()).liveWebSockets).to.equal(2);
  });

  it("a follower applies relayed frames by the leader's rules: a gap makes it ask for the state, a foreign frame is dropped", async () => {
    const [leader, follower] = await twoTabs();
    // Listen and speak on the tabs' channel, as a misbehaving tab would.
    const channel = new BroadcastChannel(LOCK);
    const heard: RelayMessage[] = [];
    channel.onmessage = (event: MessageEvent<RelayMessage>) => heard.push(event.data);
    try {
      const { epoch, seq } = follower.client.state.snapshot!;
      channel.postMessage({ t: 'frame', frame: booking(seq + 2, 999, epoch) });
      await until(() => heard.some((m) => m.t === 'sync'), 'follower asks for the state');
      await until(() => heard.some((m) => m.t === 'state'), 'leader answers');
      expect(follower.client.metrics().counters.gaps).to.equal(1);
      expect(follower.client.state.snapshot!.counts.upcoming).not.to.equal(999);

      const foreign = snapshotFrame({
        seq: seq + 100,
        epoch,
        consultant: { ...follower.client.state.snapshot!.consultant, id: 'c-other' },
      });
      channel.postMessage({ t: 'frame', frame: foreign });
      await until(() => follower.client.metrics().counters.invalidFrames === 1, 'foreign frame dropped');
      expect(follower.client.state.snapshot!.consultant.id).to.equal(CONSULTANT);
      expect(leader.client.metrics().counters.invalidFrames).to.equal(0);

      const booked = await simulate(CONSULTANT, 'book', { familyName: 'After the noise' });
      await until(() => follower.client.state.snapshot!.seq >= booked.seq, 'follower current again');
      await expectCurrent(follower.client, CONSULTANT);
    } finally {
      channel.close();
    }
  });

  it("followers show the leader's connection status", async () => {
    const [leader, follower] = await twoTabs();
    await fault({ action: 'cut', kind: 'websocket' });
    await until(() => follower.client.status === 'reconnecting', 'follower sees reconnecting');
    await leader.clock.advance(1000);
    await until(
      () => follower.client.status === 'live' && leader.client.status === 'live',
      'both live again',
    );
  });

  it("a follower of a polling leader waits as long as the leader's poll may be quiet, and is live again once frames come", async () => {
    const leader = await openTab({}, { transports: ['polling'] });
    tabs.push(leader);
    await until(() => live(leader), 'leader live');
    const follower = await openTab({}, { transports: ['polling'] });
    tabs.push(follower);
    await until(() => live(follower), 'follower live');
    expect(follower.client.metrics().role).to.equal('follower');
    // A held long-poll answers after 25 s: half a minute of quiet is normal, not stale.
    await follower.clock.advance(30_000);
    expect(follower.client.status).to.equal('live');
    // The quiet counts from the last frame relayed, not from the first.
    const paid = await simulate(CONSULTANT, 'payment', { amountMinor: 1_200 });
    await until(() => follower.client.state.snapshot!.seq >= paid.seq, 'the payment relayed');
    await follower.clock.advance(30_000);
    expect(follower.client.status).to.equal('live');
    // Past what the leader said its poll may take, a silent leader is stale: the follower asks it
    // how things stand. (A second at a time: the leader answers in real time, which a clock
    // moved by much at once would leave no room for; three requests unanswered would take the
    // lock from it.)
    let waited = 0;
    while (follower.client.status === 'live' && waited < 20_000) {
      await follower.clock.advance(1_000);
      waited += 1_000;
    }
    expect(follower.client.status).to.equal('stale');
    // The leader answers: its own clock says its poll is fine, and its word holds. It keeps the lock.
    await until(() => follower.client.status === 'live', 'the leader answers');
    const booked = await simulate(CONSULTANT, 'book', { familyName: 'The Quiet family' });
    await until(() => follower.client.state.snapshot!.seq >= booked.seq, 'the booking relayed');
    expect(follower.client.status).to.equal('live');
    expect(follower.client.metrics().role).to.equal('follower');
    expect(leader.client.metrics().role).to.equal('leader');
    expect(leader.client.status).to.equal('live');
  });

  it('a follower allows the silence the leader allows now: after the leader climbs from polling to WebSocket, a stuck leader is stale at the WebSocket limit', async () => {
    await fault({ websocket: 'refuse' });
    const leader = await openTab({}, { transports: ['websocket', 'polling'] });
    tabs.push(leader);
    await until(() => live(leader) && leader.client.state.transport === 'polling', 'leader polling');
    const follower = await openTab({}, { transports: ['websocket', 'polling'] });
    tabs.push(follower);
    await until(() => live(follower), 'follower live');
    // The follower's watchdog is set for a long-poll's quiet; the leader then climbs.
    await fault({ websocket: 'pass' });
    await leader.clock.advance(PROBE_BASE_MS / 2);
    await until(() => follower.client.state.transport === 'websocket', 'the follower hears of the climb');
    // The relayed WebSocket frames set the follower's watchdog to the WebSocket's limit.
    await until(
      () => follower.clock.pending.includes(1000 + Limits.staleGraceMs),
      'the watchdog at its new limit',
    );
    // From here the leader's tab is stuck: its connection says nothing and its clock stands still.
    await fault({ action: 'stall', kind: 'websocket' });
    await follower.clock.advance(1000 + Limits.staleGraceMs);
    expect(follower.client.status).to.equal('stale');
  });

  it('a tab that joins shows how long ago the server confirmed the state, as the leader does', async () => {
    const leader = await openTab();
    tabs.push(leader);
    await until(() => live(leader), 'leader live');
    // The leader hears nothing for 8 s: under what its watchdog allows (the test server's 1 s
    // heartbeat and 10 s of grace), so it keeps its connection and the follower can join
    // before anything is heard again. The stall comes just after a heartbeat (1 s apart on
    // the test server), so none is still on its way to the page when the clock moves.
    const frames = leader.client.metrics().counters.framesReceived;
    await until(() => leader.client.metrics().counters.framesReceived > frames, 'a heartbeat');
    await fault({ action: 'stall', kind: 'websocket' });
    await leader.clock.advance(8_000);
    const leaderAge = leader.clock.now() - leader.client.state.lastHeardAt!;
    expect(leaderAge).to.be.at.least(8_000);
    const follower = await openTab();
    tabs.push(follower);
    await until(() => live(follower), 'follower live');
    const followerAge = follower.clock.now() - follower.client.state.lastHeardAt!;
    expect(followerAge).to.be.at.least(8_000);
  });

  it("a tab that joins takes the leader's estimate of the server's clock, not the age of its state", async () => {
    const leader = await openTab();
    tabs.push(leader);
    await until(() => live(leader), 'leader live');
    const before = leader.client.metrics().clockOffsetMs;
    // The server's clock moves 10 min ahead of the state the leader holds: its heartbeats
    // tell the leader so, while the snapshot it keeps still carries the old time.
    await advanceServerClock(600_000);
    await until(
      () => leader.client.metrics().clockOffsetMs > before + 590_000,
      'the leader hears the new time',
    );
    // Nothing more comes, so the follower learns the time only from the leader.
    await fault({ action: 'stall', kind: 'websocket' });
    const follower = await openTab();
    tabs.push(follower);
    await until(() => live(follower), 'follower live');
    expect(follower.client.metrics().clockOffsetMs).to.be.closeTo(
      leader.client.metrics().clockOffsetMs,
      5_000,
    );
  });

  /**
   * A session the tabs share, as tabs signed in to one site do: 60 s tokens until it is
   * over, then none. A tab that finds itself leading asks it for a token, so whichever tab
   * leads when the session ends, it ends there too.
   */
  function session() {
    let over = false;
    return {
      getToken: () => (over ? null : token(CONSULTANT, 60)),
      end: () => (over = true),
    };
  }

  it('when the session ends in the leader, every tab ends it and fires its own fg-session-expired, once', async () => {
    const { getToken, end } = session();
    const leader = await openTab({}, { getToken });
    tabs.push(leader);
    await until(() => live(leader), 'leader live');
    const followers: { tab: Tab; expired: Event[] }[] = [];
    for (let i = 0; i < 2; i++) {
      const events = new EventTarget();
      const expired: Event[] = [];
      events.addEventListener('fg-session-expired', (e) => expired.push(e));
      const tab = await openTab({}, { eventTarget: events, getToken });
      tabs.push(tab);
      await until(() => live(tab), 'follower live');
      followers.push({ tab, expired });
    }
    end();
    await advanceServerClock(65_000);
    // Each in turn is granted the lock the one before left, and its page has no token.
    for (const { tab } of followers) await until(() => tab.client.status === 'expired', 'follower expired');
    expect(leader.client.status).to.equal('expired');
    for (const { tab, expired } of followers) {
      expect(expired).to.have.length(1);
      expect(tab.client.state.snapshot).not.to.equal(null);
      // A tab whose session ended waits for nothing: no request for the state, no watchdog.
      await tab.clock.advance(60_000);
      expect(tab.clock.pending).to.deep.equal([]);
      expect(expired).to.have.length(1);
    }
  });

  it('tabs whose session ended leave the lock: a tab signed in afresh leads and goes live beside them', async () => {
    const { getToken, end } = session();
    const leader = await openTab({}, { getToken });
    tabs.push(leader);
    await until(() => live(leader), 'leader live');
    const follower = await openTab({}, { eventTarget: new EventTarget(), getToken });
    tabs.push(follower);
    await until(() => live(follower), 'follower live');
    end();
    await advanceServerClock(65_000);
    await until(() => follower.client.status === 'expired', 'follower expired');
    expect(leader.client.status).to.equal('expired');

    const events = new EventTarget();
    const expired: Event[] = [];
    events.addEventListener('fg-session-expired', (e) => expired.push(e));
    const fresh = await openTab({}, { eventTarget: events });
    tabs.push(fresh);
    await until(() => live(fresh), 'the new tab live');
    expect(fresh.client.metrics().role).to.equal('leader');
    expect(expired).to.have.length(0);
    const { seq } = await simulate(CONSULTANT, 'book', { familyName: 'After signing in again' });
    await until(() => fresh.client.state.snapshot!.seq >= seq, 'the new tab has the booking');
    // The tabs that ended stay as they ended.
    expect(leader.client.status).to.equal('expired');
    expect(follower.client.status).to.equal('expired');
  });

  /** An address (a frame's `about:srcdoc` resolves no path). */
  const LOGIN = `${location.origin}/login`;

  /** Records the `fg-session-expired` events of a tab, and where it was sent. */
  function watched() {
    const events = new EventTarget();
    const expired: Event[] = [];
    const navigations: string[] = [];
    events.addEventListener('fg-session-expired', (e) => expired.push(e));
    return {
      expired,
      navigations,
      environment: { navigate: (url: string) => navigations.push(url) },
      options: { eventTarget: events, loginUrl: LOGIN },
    };
  }

  it("a follower whose own session ended goes to login, while the leader's goes on", async () => {
    const leader = await openTab();
    tabs.push(leader);
    await until(() => live(leader), 'leader live');
    // A page with a 10 s session it never renews.
    let calls = 0;
    const page = watched();
    const follower = await openTab(page.environment, {
      ...page.options,
      getToken: () => (++calls === 1 ? token(CONSULTANT, 10) : null),
    });
    tabs.push(follower);
    await until(() => live(follower), 'follower live');
    expect(calls).to.equal(1);
    // As its token expires, the tab asks its page again: there is no session any more.
    await advanceServerClock(11_000);
    await follower.clock.advance(10_000);
    await until(() => follower.client.status === 'expired', 'follower expired');
    expect(calls).to.equal(2);
    expect(page.expired).to.have.length(1);
    expect(page.navigations).to.deep.equal([LOGIN]);
    // It left the tabs, and waits for nothing.
    expect(follower.clock.pending).to.deep.equal([]);
    expect(leader.client.status).to.equal('live');
    const { seq } = await simulate(CONSULTANT, 'book', { familyName: 'After one tab signed out' });
    await until(() => leader.client.state.snapshot!.seq >= seq, 'the leader has the booking');
    expect(leader.client.metrics().role).to.equal('leader');
  });

  it("when the leader's session ends, a tab whose page renews leads on; one whose session ended too goes to login", async () => {
    const ended = session();
    const leaderPage = watched();
    const leader = await openTab(leaderPage.environment, { ...leaderPage.options, getToken: ended.getToken });
    tabs.push(leader);
    await until(() => live(leader), 'leader live');
    const renewingPage = watched();
    const renewing = await openTab(renewingPage.environment, renewingPage.options);
    tabs.push(renewing);
    await until(() => live(renewing), 'the renewing tab live');
    const endingPage = watched();
    const ending = await openTab(endingPage.environment, { ...endingPage.options, getToken: ended.getToken });
    tabs.push(ending);
    await until(() => live(ending), 'the other tab live');

    ended.end();
    await advanceServerClock(65_000);
    await until(() => leader.client.status === 'expired', 'the leader expired');
    expect(leaderPage.navigations).to.deep.equal([LOGIN]);
    // The lock goes to the tab that asked for it first; its page has a token.
    await until(
      () => renewing.client.metrics().role === 'leader' && live(renewing),
      'the renewing tab leads',
    );
    expect(renewingPage.expired).to.have.length(0);
    await until(() => live(ending), 'the other tab follows the new leader');
    // Its own token has expired: asked at its expiry, its page has no session.
    await ending.clock.advance(60_000);
    await until(() => ending.client.status === 'expired', 'the other tab expired');
    expect(endingPage.expired).to.have.length(1);
    expect(endingPage.navigations).to.deep.equal([LOGIN]);

    const { seq } = await simulate(CONSULTANT, 'book', { familyName: 'After the leader signed out' });
    await until(() => renewing.client.state.snapshot!.seq >= seq, 'the new leader has the booking');
    expect(renewing.client.status).to.equal('live');
    expect(renewingPage.navigations).to.deep.equal([]);
  });
});
