// Time-driven changes on the manual clock: starts, completions, a new day, a new month,
// each at its exact instant and in time order, however far the clock jumps.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { EventFrame, SnapshotFrame } from '@fg/protocol';
import {
  BACKENDS,
  nextEvents,
  poll,
  post,
  sameDatabase,
  simulate,
  startTestServer,
  suiteServer,
  T0,
  tokenFor,
  WsClient,
} from './helpers.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const WEEK_S = 7 * 24 * 3600;

for (const backend of BACKENDS)
  describe(`scheduler (${backend})`, () => {
    const server = suiteServer({ backend });
    let token: string;
    let ws: WsClient;
    let initial: SnapshotFrame;
    before(async () => {
      token = await tokenFor(server, 'c-story', WEEK_S);
      ws = await WsClient.connect(server, token);
      initial = (await ws.next()) as SnapshotFrame;
    });

    it('keeps one timer on the clock for all scheduled work', () => {
      // The scheduler's timer and this connection's token expiry; nothing per consultation.
      assert.equal(server.clock.pending(), 2);
    });

    it('starts a consultation at its start time: active 2 -> 3, the item turns active in place', async () => {
      const next = initial.upcoming.find((u) => u.status === 'scheduled')!;
      const startsAt = Date.parse(next.startsAt);
      assert.equal(startsAt, T0 + 45 * MIN);
      // Moving the clock answers only once the due work is committed.
      const res = await post(server, '/api/demo/clock', { advanceMs: startsAt - T0 - 1 });
      assert.equal(res.status, 200);
      assert.equal(((await poll(server, token)).frames[0] as SnapshotFrame).counts.active, 2, 'not yet');
      await post(server, '/api/demo/clock', { advanceMs: 1 });
      const [event] = await nextEvents(ws, 1);
      assert.equal(event!.kind, 'consultation.started');
      assert.equal(event!.subject.id, next.id);
      assert.equal(event!.at, startsAt);
      assert.equal(event!.patch.counts!.active, 3);
      assert.equal(event!.patch.counts!.upcoming, 2);
      const index = initial.upcoming.findIndex((u) => u.id === next.id);
      assert.equal(event!.patch.upcoming![index]!.id, next.id);
      assert.equal(event!.patch.upcoming![index]!.status, 'active');
    });

    it('a jump past several due times emits each one, in time order, at its own instant', async () => {
      server.clock.set(T0 + 2 * HOUR);
      const events = await nextEvents(ws, 3);
      assert.deepEqual(
        events.map((e) => [e.kind, e.subject.id, e.at - T0]),
        [
          ['consultation.completed', 'k-story-1', 90 * MIN],
          ['consultation.completed', 'k-story-2', 90 * MIN],
          ['consultation.completed', 'k-story-3', 95 * MIN],
        ],
      );
      assert.deepEqual(events.at(-1)!.patch.counts, {
        ...initial.counts,
        upcoming: 2,
        active: 0,
        completed: 17,
      });
      assert.deepEqual(ws.drain(), []);
    });

    it("recalculates 'due today' at the consultant's local midnight", async () => {
      // Midnight in New York is 04:00 UTC on 15 March: 13 hours after T0.
      server.clock.set(T0 + 13 * HOUR - 1);
      assert.deepEqual(ws.drain(), []);
      server.clock.advance(1);
      const [event] = await nextEvents(ws, 1);
      assert.equal(event!.kind, 'metrics.recalculated');
      assert.deepEqual(event!.subject, { type: 'consultant', id: 'c-story' });
      assert.equal(event!.at, Date.UTC(2025, 2, 15, 4));
      assert.deepEqual(Object.keys(event!.patch), ['counts']);
      // Two tasks were due on the 14th; one is due on the 15th.
      assert.equal(event!.patch.counts!.tasksDueToday, 1);
    });

    it('starts a booking that starts now at once', async () => {
      const { seq } = await simulate(server, 'c-story', { action: 'book', startsInSeconds: 0 });
      const [booked, started] = await nextEvents(ws, 2);
      assert.equal(booked!.seq, seq);
      assert.equal(started!.kind, 'consultation.started');
      assert.equal(started!.subject.id, booked!.subject.id);
    });
  });

for (const backend of BACKENDS)
  describe(`scheduler at the turn of the month (${backend})`, () => {
    // 20:00 on 31 March in New York.
    const start = Date.UTC(2025, 3, 1, 0, 0);
    const server = suiteServer({ start, backend });
    let token: string;
    before(async () => {
      token = await tokenFor(server, 'c-story', WEEK_S);
    });

    it('resets the monthly revenue at local midnight on the 1st, then counts April payments', async () => {
      const ws = await WsClient.connect(server, token);
      const initial = (await ws.next()) as SnapshotFrame;
      assert.deepEqual(initial.revenue, { month: '2025-03', amountMinor: 500_000, currency: 'USD' });
      server.clock.set(Date.UTC(2025, 3, 1, 4) + 1);
      let event: EventFrame;
      do [event] = (await nextEvents(ws, 1)) as [EventFrame];
      while (event.kind !== 'metrics.recalculated');
      assert.equal(event.at, Date.UTC(2025, 3, 1, 4));
      assert.deepEqual(event.patch.revenue, { month: '2025-04', amountMinor: 0, currency: 'USD' });
      assert.equal(event.patch.counts!.tasksDueToday, 1);
      await simulate(server, 'c-story', { action: 'payment', amountMinor: 15_000 });
      const [payment] = await nextEvents(ws, 1);
      assert.deepEqual(payment!.patch.revenue, { month: '2025-04', amountMinor: 15_000, currency: 'USD' });
      await ws.close();
    });

    it("turns each consultant's day in their own time zone", async () => {
      const london = await tokenFor(server, 'c-other', WEEK_S);
      const snapshot = (await poll(server, london)).frames[0] as SnapshotFrame;
      // London turned to 1 April at 23:00 UTC on 31 March (BST began on 30 March).
      assert.equal(snapshot.revenue.month, '2025-04');
    });
  });

describe('scheduler catching up after a restart', async () => {
  for (const backend of BACKENDS)
    it(`emits what fell due while the server was down, in time order (${backend})`, async () => {
      const first = await startTestServer({ keepAfter: true, backend });
      await first.close();
      const second = await startTestServer({ ...sameDatabase(first), start: T0 + 3 * HOUR });
      if (first.dir) after(() => rmSync(first.dir, { recursive: true, force: true }));
      const token = await tokenFor(second, 'c-story');
      const snapshot = (await poll(second, token)).frames[0] as SnapshotFrame;
      assert.equal(snapshot.counts.active, 0);
      assert.equal(snapshot.counts.completed, 17);
      const res = await poll(second, token, { epoch: snapshot.epoch, since: 0 });
      assert.deepEqual(
        res.frames.map((f) => [(f as EventFrame).kind, (f as EventFrame).subject.id]),
        [
          ['consultation.started', 'k-story-3'],
          ['consultation.completed', 'k-story-1'],
          ['consultation.completed', 'k-story-2'],
          ['consultation.completed', 'k-story-3'],
        ],
      );
    });
});
