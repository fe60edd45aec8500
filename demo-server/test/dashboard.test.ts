// GET /api/dashboard: the snapshot of each seeded consultant, computed in their time zone.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { SnapshotSchema, validate, type Snapshot } from '@fg/protocol';
import { BACKENDS, bearer, sameDatabase, startTestServer, suiteServer, T0, tokenFor } from './helpers.js';

for (const backend of BACKENDS)
  describe(`GET /api/dashboard (${backend})`, () => {
    const server = suiteServer({ backend });

    async function dashboard(consultantId: string): Promise<Snapshot> {
      const res = await fetch(`${server.url}/api/dashboard`, {
        headers: bearer(await tokenFor(server, consultantId)),
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      const body: unknown = await res.json();
      const checked = validate(SnapshotSchema, body);
      assert.ok(checked.ok, `the snapshot matches the protocol: ${checked.ok ? '' : checked.error}`);
      return checked.value;
    }

    it("shows the story's numbers for Dr. Maya Chen", async () => {
      const s = await dashboard('c-story');
      assert.deepEqual(s.consultant, {
        id: 'c-story',
        name: 'Dr. Maya Chen',
        timezone: 'America/New_York',
        currency: 'USD',
        locale: 'en-US',
      });
      assert.equal(s.seq, 0);
      assert.equal(s.serverTime, T0);
      assert.deepEqual(s.counts, {
        upcoming: 3,
        active: 2,
        completed: 14,
        familyClients: 6,
        unreadMessages: 0,
        tasksDueToday: 2,
      });
      assert.deepEqual(s.revenue, { month: '2025-03', amountMinor: 500_000, currency: 'USD' });
      // The list holds active consultations first (they started earlier), then the scheduled.
      assert.deepEqual(
        s.upcoming.map((u) => u.status),
        ['active', 'active', 'scheduled', 'scheduled', 'scheduled'],
      );
      const starts = s.upcoming.map((u) => Date.parse(u.startsAt));
      assert.deepEqual(
        starts,
        [...starts].sort((a, b) => a - b),
      );
      assert.equal(s.recentMessages.length, 3);
      assert.ok(s.recentMessages.every((m) => m.read));
      const sent = s.recentMessages.map((m) => Date.parse(m.sentAt));
      assert.deepEqual(
        sent,
        [...sent].sort((a, b) => b - a),
        'newest first',
      );
    });

    it('shows nothing at all, without errors, for a consultant with no data', async () => {
      const s = await dashboard('c-empty');
      assert.deepEqual(s.counts, {
        upcoming: 0,
        active: 0,
        completed: 0,
        familyClients: 0,
        unreadMessages: 0,
        tasksDueToday: 0,
      });
      assert.deepEqual(s.revenue, { month: '2025-03', amountMinor: 0, currency: 'USD' });
      assert.deepEqual(s.upcoming, []);
      assert.deepEqual(s.recentMessages, []);
    });

    it('counts more than 99 upcoming consultations exactly and lists only the first 5', async () => {
      const s = await dashboard('c-busy');
      assert.equal(s.counts.upcoming, 120);
      assert.equal(s.upcoming.length, 5);
      assert.equal(s.revenue.currency, 'EUR');
      assert.equal(s.revenue.amountMinor, 1_284_000);
      assert.equal(s.counts.unreadMessages, 2);
      assert.equal(s.consultant.locale, 'de-DE');
    });

    it('answers each consultant with their own dashboard only', async () => {
      const s = await dashboard('c-other');
      assert.equal(s.consultant.id, 'c-other');
      assert.equal(s.revenue.currency, 'GBP');
      assert.equal(s.counts.familyClients, 3);
      assert.ok(s.upcoming.every((u) => !u.id.includes('story')));
    });
  });

describe('seeding', () => {
  it("puts this month's payments inside the month even on the 1st just after midnight", async () => {
    // 00:30 on 1 April in New York: the month is 30 minutes old.
    const server = await startTestServer({ start: Date.UTC(2025, 3, 1, 4, 30) });
    const res = await fetch(`${server.url}/api/dashboard`, {
      headers: bearer(await tokenFor(server, 'c-story')),
    });
    const s = (await res.json()) as Snapshot;
    assert.deepEqual(s.revenue, { month: '2025-04', amountMinor: 500_000, currency: 'USD' });
  });

  for (const backend of BACKENDS)
    it(`happens once: a restart keeps the data, the log and its epoch (${backend})`, async () => {
      const first = await startTestServer({ keepAfter: true, backend });
      const token = await tokenFor(first, 'c-story');
      const res = await fetch(`${first.url}/api/demo/simulate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          consultantId: 'c-story',
          action: 'associate-family',
          familyName: 'The Lindqvists',
        }),
      });
      assert.equal(res.status, 200);
      const before = (await (
        await fetch(`${first.url}/api/dashboard`, { headers: bearer(token) })
      ).json()) as Snapshot;
      await first.close();

      const second = await startTestServer({ ...sameDatabase(first), start: T0 + 1000 });
      if (first.dir) after(() => rmSync(first.dir, { recursive: true, force: true }));
      const restarted = (await (
        await fetch(`${second.url}/api/dashboard`, { headers: bearer(await tokenFor(second, 'c-story')) })
      ).json()) as Snapshot;
      assert.equal(restarted.counts.familyClients, 7);
      assert.equal(restarted.epoch, before.epoch);
      assert.equal(restarted.seq, 1);
      assert.equal(restarted.counts.upcoming, 3);
    });

  it('adds load-test consultants on request, and keeps a generated demo secret across restarts', async () => {
    const first = await startTestServer({ keepAfter: true, jwtSecret: undefined, loadConsultants: 3 });
    const token = await tokenFor(first, 'c-load-2');
    await first.close();
    const second = await startTestServer({ dbPath: first.dbPath, jwtSecret: undefined, loadConsultants: 3 });
    after(() => rmSync(first.dir, { recursive: true, force: true }));
    const res = await fetch(`${second.url}/api/dashboard`, { headers: bearer(token) });
    assert.equal(res.status, 200, 'a token minted before the restart is still accepted');
    const s = (await res.json()) as Snapshot;
    assert.equal(s.consultant.id, 'c-load-2');
    assert.equal(s.consultant.timezone, 'UTC');
    assert.equal(s.counts.upcoming, 0);
  });
});
