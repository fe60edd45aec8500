import { expect } from '@open-wc/testing';
import { createDashboardStore } from './store.js';
import type { DashboardState } from '../types.js';
import { booking, heartbeat, manualFrames, snapshotFrame } from '../test/frames.js';

function setup() {
  const frames = manualFrames();
  let now = 1_700_000_000_100;
  const store = createDashboardStore({ requestFrame: frames.request, now: () => now });
  return { store, frames, tick: (ms: number) => (now += ms) };
}

describe('createDashboardStore', () => {
  it('starts empty and connecting', () => {
    const { store } = setup();
    expect(store.state.snapshot).to.equal(null);
    expect(store.status).to.equal('connecting');
    expect(store.state.recentEvents).to.deep.equal([]);
  });

  it('applies a snapshot then the next events, and keeps state current between notifications', () => {
    const { store } = setup();
    expect(store.receive(snapshotFrame({ seq: 10 }))).to.equal('snapshot');
    expect(store.receive(booking(11, 4))).to.equal('applied');
    expect(store.receive(booking(12, 5))).to.equal('applied');
    expect(store.state.snapshot!.seq).to.equal(12);
    expect(store.state.snapshot!.counts.upcoming).to.equal(5);
  });

  it('counts duplicates and gaps and leaves state untouched by them', () => {
    const { store } = setup();
    store.receive(snapshotFrame({ seq: 10 }));
    const before = store.state.snapshot;
    expect(store.receive(booking(10, 99))).to.equal('duplicate');
    expect(store.receive(booking(13, 99))).to.equal('gap');
    expect(store.receive(booking(11, 99, 'e2'))).to.equal('epoch-changed');
    expect(store.state.snapshot).to.equal(before);
    const { counters } = store.metrics();
    expect(counters).to.include({ duplicates: 1, gaps: 1, eventsApplied: 0, framesReceived: 4 });
  });

  it('remembers when the server last confirmed what is shown, not merely that it answered', () => {
    const { store, tick } = setup();
    const welcome = {
      type: 'welcome',
      consultantId: 'c-story',
      epoch: 'e1',
      seq: 12,
      heartbeatMs: 15_000,
      tokenExpiresAt: 1_800_000_000_000,
      serverTime: 1_700_000_000_000,
    } as const;
    expect(store.receive(welcome)).to.equal('ignored');
    expect(store.state.lastHeardAt, 'a welcome before any state').to.equal(null);
    store.receive(snapshotFrame({ seq: 10 }));
    const shown = store.state.lastHeardAt!;
    tick(5_000);
    store.receive(welcome);
    expect(store.receive(heartbeat(12))).to.equal('gap');
    expect(store.state.lastHeardAt, 'a welcome and a heartbeat ahead of us').to.equal(shown);
    expect(store.receive(booking(11, 4))).to.equal('applied');
    expect(store.state.lastHeardAt).to.equal(shown + 5_000);
    tick(5_000);
    store.receive(booking(12, 5));
    tick(5_000);
    expect(store.receive(heartbeat(12))).to.equal('ignored');
    expect(store.state.lastHeardAt, 'a heartbeat at our position').to.equal(shown + 15_000);
  });

  it('validates text frames: malformed JSON and schema failures are counted, never thrown', () => {
    const { store } = setup();
    store.receive(snapshotFrame({ seq: 10 }));
    expect(store.receive('{not json')).to.equal('invalid');
    expect(store.receive(JSON.stringify({ ...booking(11, 4), seq: 'eleven' }))).to.equal('invalid');
    expect(
      store.receive(JSON.stringify({ ...booking(11, 4), patch: { counts: { upcoming: -1 } } })),
    ).to.equal('invalid');
    expect(store.state.snapshot!.seq).to.equal(10);
    expect(store.metrics().counters.invalidFrames).to.equal(3);
    expect(store.receive(JSON.stringify(booking(11, 4)))).to.equal('applied');
  });

  it('validates object frames as well', () => {
    const { store } = setup();
    expect(store.receive({ type: 'snapshot', epoch: 'bad:epoch' } as never)).to.equal('invalid');
    expect(store.state.snapshot).to.equal(null);
  });

  it('notifies at most once per frame, with the latest state and the events since the last notification', () => {
    const { store, frames } = setup();
    const seen: DashboardState[] = [];
    store.subscribe(
      (state) => state,
      (state) => seen.push(state),
    );
    store.receive(snapshotFrame({ seq: 10 }));
    store.receive(booking(11, 4));
    store.receive(booking(12, 5));
    store.receive(booking(13, 6));
    expect(seen).to.have.length(0);
    expect(frames.pending).to.equal(1);
    frames.run();
    expect(seen).to.have.length(1);
    expect(seen[0]!.snapshot!.seq).to.equal(13);
    expect(seen[0]!.recentEvents.map((e) => e.seq)).to.deep.equal([11, 12, 13]);

    store.receive(booking(14, 7));
    frames.run();
    expect(seen).to.have.length(2);
    expect(seen[1]!.recentEvents.map((e) => e.seq)).to.deep.equal([14]);
  });

  it('calls a listener only when its slice changes by its equality', () => {
    const { store, frames } = setup();
    store.receive(snapshotFrame({ seq: 10 }));
    frames.run();
    const upcoming: number[] = [];
    const revenue: number[] = [];
    store.subscribe(
      (state) => state.snapshot?.counts.upcoming,
      (value) => upcoming.push(value!),
    );
    store.subscribe(
      (state) => state.snapshot?.revenue,
      (value) => revenue.push(value!.amountMinor),
    );
    store.receive(booking(11, 4));
    frames.run();
    store.receive(heartbeat(11));
    frames.run();
    expect(upcoming).to.deep.equal([4]);
    expect(revenue).to.deep.equal([]);

    // A custom equality: a new object with the same content is no change.
    const ids: string[][] = [];
    store.subscribe(
      (state) => state.snapshot?.upcoming.map((item) => item.id) ?? [],
      (value) => ids.push(value),
      (a, b) => a.join() === b.join(),
    );
    store.receive(booking(12, 5));
    frames.run();
    expect(ids).to.deep.equal([]);
  });

  it('stops notifying after unsubscribe, and one throwing listener does not starve the others', () => {
    const { store, frames } = setup();
    const reported: unknown[] = [];
    const originalReportError = globalThis.reportError;
    globalThis.reportError = (error) => reported.push(error);
    try {
      let calls = 0;
      store.subscribe(
        (state) => state.status,
        () => {
          throw new Error('view bug');
        },
      );
      const unsubscribe = store.subscribe(
        (state) => state.status,
        () => calls++,
      );
      store.setStatus('live', 'websocket');
      frames.run();
      expect(calls).to.equal(1);
      expect(reported).to.have.length(1);
      unsubscribe();
      store.setStatus('stale');
      frames.run();
      expect(calls).to.equal(1);
    } finally {
      globalThis.reportError = originalReportError;
    }
  });

  it('fires a status event synchronously on each change of status', () => {
    const { store } = setup();
    const statuses: string[] = [];
    store.addEventListener('status', () => statuses.push(store.status));
    store.setStatus('live', 'sse');
    store.setStatus('live', 'sse');
    store.setStatus('stale');
    expect(statuses).to.deep.equal(['live', 'stale']);
    expect(store.state.transport).to.equal('sse');
  });

  it('replaces state objects instead of mutating them', () => {
    const { store } = setup();
    store.receive(snapshotFrame({ seq: 10 }));
    const first = store.state;
    expect(store.state).to.equal(first);
    store.receive(booking(11, 4));
    const second = store.state;
    expect(second).not.to.equal(first);
    expect(first.snapshot!.seq).to.equal(10);
    expect(Object.isFrozen(second)).to.equal(true);
  });

  it('measures delivery latency against the server clock, and event-to-DOM latency when views report a paint', () => {
    const { store, tick } = setup();
    // The server clock runs 5 s ahead of ours.
    store.receive({ ...heartbeat(0), serverTime: 1_700_000_005_100 });
    store.receive(snapshotFrame({ seq: 10 }));
    // booking(11).at is 1_700_000_000_011 on the server clock = 1_699_999_995_011 locally.
    tick(0);
    store.receive({ ...booking(11, 4), at: 1_700_000_005_060 });
    const delivery = store.metrics().deliveryLatency;
    expect(store.metrics().clockOffsetMs).to.equal(5000);
    expect(delivery.count).to.equal(1);
    expect(delivery.p50).to.equal(40);
    tick(16);
    store.notePainted(11);
    store.notePainted(11);
    const paint = store.metrics().eventToDomLatency;
    expect(paint.count).to.equal(1);
    expect(paint.max).to.equal(56);
  });

  it('uses real animation frames by default', async () => {
    const store = createDashboardStore();
    const seqs: number[] = [];
    store.subscribe(
      (state) => state.snapshot?.seq,
      (seq) => seqs.push(seq!),
    );
    store.receive(snapshotFrame({ seq: 10 }));
    store.receive(booking(11, 4));
    await new Promise((resolve) => requestAnimationFrame(resolve));
    await new Promise((resolve) => requestAnimationFrame(resolve));
    expect(seqs).to.deep.equal([11]);
    store.close();
  });

  it('in a hidden page, keeps state current without animation frames and notifies as soon as it is shown', async () => {
    let hidden = true;
    Object.defineProperty(document, 'visibilityState', {
      configurable: true,
      get: () => (hidden ? 'hidden' : 'visible'),
    });
    try {
      const store = createDashboardStore();
      const seqs: number[] = [];
      store.subscribe(
        (state) => state.snapshot?.seq,
        (seq) => seqs.push(seq!),
      );
      store.receive(snapshotFrame({ seq: 10 }));
      store.receive(booking(11, 4));
      expect(store.state.snapshot!.seq).to.equal(11);
      // Frames go by (this test page itself is visible): the hidden-page path does not wait for them.
      await new Promise((resolve) => requestAnimationFrame(resolve));
      await new Promise((resolve) => requestAnimationFrame(resolve));
      expect(seqs).to.deep.equal([]);
      hidden = false;
      document.dispatchEvent(new Event('visibilitychange'));
      expect(seqs).to.deep.equal([11]);
      store.close();
    } finally {
      delete (document as unknown as Record<string, unknown>).visibilityState;
    }
  });
});
