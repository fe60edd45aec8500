// The storage contract, on both implementations: transactions commit or leave nothing,
// each consultant's seq has no gaps and no repeats under concurrent writers (on PostgreSQL,
// writers on two nodes), every patch is computed from the state its seq follows, and a
// refused write consumes no seq. On PostgreSQL also: signals go out on commit only, missed
// signals are made up from the log, one node leads, and a node that cannot reach the
// database never acknowledges a write.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../src/clock.js';
import { EventLog, type LogHead, type OutEvent } from '../src/db/eventlog.js';
import type { LogSignal } from '../src/db/storage.js';
import { Hub, type Subscriber } from '../src/hub.js';
import { Relay } from '../src/relay.js';
import {
  BACKENDS,
  sameDatabase,
  startTestServer,
  suiteServer,
  T0,
  testPostgres,
  within,
  type TestServer,
} from './helpers.js';
import type { PgServer } from './support/postgres.js';

/** A subscriber that records what it is given. */
class Recorder implements Subscriber {
  readonly transport = 'websocket' as const;
  readonly events: OutEvent[] = [];
  readonly resets: LogHead[] = [];
  private waiters: (() => void)[] = [];
  constructor(readonly consultantId: string) {}
  deliver(event: OutEvent): void {
    this.events.push(event);
    for (const wake of this.waiters.splice(0)) wake();
  }
  heartbeat(): void {}
  resync(head: LogHead): void {
    this.resets.push(head);
  }
  oldestUnsent(): undefined {
    return undefined;
  }
  shutdown(): void {}
  unavailable(): void {}
  async until(n: number, ms = 5000): Promise<void> {
    while (this.events.length < n) {
      await within(new Promise<void>((resolve) => this.waiters.push(resolve)), ms, `${n} events`);
    }
  }
}

const seqs = (events: readonly { seq: number }[]): number[] => events.map((e) => e.seq);
const range = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);

for (const backend of BACKENDS) {
  describe(`storage contract (${backend})`, () => {
    const a = suiteServer({ backend });
    // A second node on the same database (PostgreSQL); SQLite has one writer, this same one.
    let b: TestServer;
    let log: EventLog;
    before(async () => {
      b = backend === 'postgres' ? await startTestServer({ ...sameDatabase(a), keepAfter: true }) : a;
      log = new EventLog(a.storage, { events: 10_000, ms: 24 * 3600_000 });
    });
    after(async () => {
      if (b && b !== a) await b.close();
    });

    it('commits a write transaction, and a read sees it', async () => {
      await a.storage.write(async (tx) => {
        await tx.run("INSERT INTO meta (key, value) VALUES ('contract', 'kept')");
      });
      const row = await a.storage.read((tx) =>
        tx.get<{ value: string }>("SELECT value FROM meta WHERE key = 'contract'"),
      );
      assert.equal(row?.value, 'kept');
      assert.equal(await a.storage.sql.run("DELETE FROM meta WHERE key = 'contract'"), 1);
    });

    it('rolls back everything, event and seq included, when the transaction throws', async () => {
      const before = await log.head(a.storage.sql, 'c-empty');
      await assert.rejects(
        a.storage.write(async (tx) => {
          await log.lock(tx, 'c-empty');
          await tx.run("INSERT INTO families (id, name) VALUES ('f-rolled-back', 'Nobody')");
          await log.append(tx, 'c-empty', {
            at: T0,
            kind: 'family.associated',
            subject: { type: 'family', id: 'f-rolled-back' },
            patch: {},
          });
          throw new Error('refused after the append');
        }),
        /refused after the append/,
      );
      assert.deepEqual(await log.head(a.storage.sql, 'c-empty'), before, 'no seq was taken');
      assert.equal(await a.storage.sql.get("SELECT id FROM families WHERE id = 'f-rolled-back'"), undefined);
      assert.deepEqual(await log.after(a.storage.sql, 'c-empty', before.seq), []);
      // A refused domain action (404) appends nothing either, and the next seq follows on.
      await assert.rejects(a.domain.completeTask('c-empty', 't-nonexistent'), { status: 404 });
      const next = await b.domain.addTask('c-empty', { title: 'After the refusals' });
      assert.equal(next.seq, before.seq + 1);
    });

    it('gives concurrent writers (on two nodes) seqs with no gap and no repeat, each patch after the one before', async () => {
      const start = (await log.head(a.storage.sql, 'c-story')).seq;
      const base = await a.storage.sql.get<{ n: number }>(
        'SELECT count(*) AS n FROM consultant_families WHERE consultant_id = ?',
        ['c-story'],
      );
      const events = await Promise.all(
        Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).domain.associateFamily('c-story')),
      );
      const sorted = [...events].sort((x, y) => x.seq - y.seq);
      assert.deepEqual(seqs(sorted), range(start + 1, 30), 'every seq once, none skipped');
      // Each patch counts the families of every write before it: computed under the lock.
      for (const event of sorted) {
        const frame = JSON.parse(event.json) as { patch: { counts: { familyClients: number } } };
        assert.equal(frame.patch.counts.familyClients, base!.n + (event.seq - start));
      }
      const stored = await log.after(a.storage.sql, 'c-story', start);
      assert.deepEqual(seqs(stored), range(start + 1, 30));
    });

    it('relays every event of a followed consultant once, in seq order, whichever node wrote it', async () => {
      const hub = new Hub(new ManualClock(T0), 60_000);
      const relay = new Relay(hub, a.storage, log, new ManualClock(T0));
      a.domain.onCommit((event) => relay.committed(event));
      const stopSignals = forwardSignals(a, relay);
      const sub = new Recorder('c-other');
      hub.subscribe(sub);
      const head = await log.head(a.storage.sql, 'c-other');
      hub.caughtUp('c-other', head);
      const writes = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? a : b).domain.receiveMessage('c-other', { text: `m${i}` }),
        ),
      );
      await sub.until(20);
      stopSignals();
      assert.deepEqual(seqs(sub.events), range(head.seq + 1, 20));
      assert.deepEqual(seqs(sub.events), seqs([...writes].sort((x, y) => x.seq - y.seq)));
      hub.unsubscribe(sub);
    });
  });
}

/** Passes the cluster's signals to `relay` until the returned function is called. */
function forwardSignals(server: TestServer, relay: Relay): () => void {
  let on = true;
  server.storage.cluster?.onSignal((signal: LogSignal) => {
    if (on) relay.signal(signal);
  });
  return () => (on = false);
}

describe('storage on PostgreSQL, several nodes', () => {
  let pg: PgServer;
  let a: TestServer;
  let b: TestServer;
  let log: EventLog;
  before(async () => {
    pg = await testPostgres();
    // Node A connects as its own role, so the test can take the database away from it alone.
    await pg.query('CREATE ROLE fg_node_a LOGIN SUPERUSER');
    const databaseUrl = await pg.createDatabase();
    const asNodeA = databaseUrl.replace('postgres@', 'fg_node_a@');
    a = await startTestServer({
      backend: 'postgres',
      databaseUrl: asNodeA,
      nodeName: 'node-a',
      databaseGraceMs: 200,
      keepAfter: true,
    });
    b = await startTestServer({
      backend: 'postgres',
      databaseUrl,
      nodeName: 'node-b',
      leaderCheckMs: 100,
      keepAfter: true,
    });
    log = new EventLog(b.storage, { events: 10_000, ms: 24 * 3600_000 });
  });
  after(async () => {
    await a?.close();
    await b?.close();
  });

  it('sends a signal for a committed write, and none for one rolled back', async () => {
    const received: LogSignal[] = [];
    b.storage.cluster!.onSignal((signal) => received.push(signal));
    await assert.rejects(
      a.storage.write(async (tx) => {
        await log.lock(tx, 'c-busy');
        await a.storage.cluster!.notify(tx, {
          consultantId: 'c-busy',
          epoch: 'never',
          seq: 999,
          kind: 'task.created',
        });
        throw new Error('rolled back');
      }),
    );
    const event = await a.domain.addTask('c-busy', { title: 'signalled' });
    await waitFor(() => received.some((s) => s.consultantId === 'c-busy'), 'the signal');
    const mine = received.filter((s) => s.consultantId === 'c-busy');
    assert.deepEqual(mine, [
      { consultantId: 'c-busy', epoch: event.epoch, seq: event.seq, kind: 'task.created' },
    ]);
  });

  it('makes up signals it missed from the log, by seq, when its connection comes back', async () => {
    const hub = new Hub(new ManualClock(T0), 60_000);
    const relay = new Relay(hub, b.storage, log, new ManualClock(T0));
    const sub = new Recorder('c-empty');
    hub.subscribe(sub);
    const head = await log.head(b.storage.sql, 'c-empty');
    hub.caughtUp('c-empty', head);
    // No signal reaches this relay (as while its connection is down): nothing is delivered...
    const written = [];
    for (let i = 0; i < 5; i++) written.push(await a.domain.addTask('c-empty', { title: `missed ${i}` }));
    assert.equal(sub.events.length, 0);
    // ...until it reads the log again, as it does when the connection is back.
    relay.resume();
    await sub.until(5);
    assert.deepEqual(seqs(sub.events), seqs(written));
    relay.resume();
    const late = await a.domain.addTask('c-empty', { title: 'after' });
    relay.signal({ consultantId: 'c-empty', epoch: late.epoch, seq: late.seq, kind: late.kind });
    await sub.until(6);
    assert.deepEqual(seqs(sub.events), [...seqs(written), late.seq], 'nothing repeated');
  });

  it('listens again after its connection is cut, and says so', async () => {
    const ups: boolean[] = [];
    b.storage.cluster!.onConnection((up) => ups.push(up));
    const cut = await pg.query<{ n: number }>(
      "SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = 'node-b-listen'",
    );
    assert.equal(cut[0]!.n, 1);
    await waitFor(() => ups.includes(true), 'the listener to come back');
    assert.deepEqual(ups, [true], 'back within the grace period: never reported down');
    assert.equal(b.storage.cluster!.connected, true);
  });

  it('has exactly one leader, and another node takes over when it goes', async () => {
    const leaders = (): TestServer[] => [a, b].filter((s) => s.scheduler.active);
    assert.equal(leaders().length, 1);
    assert.equal(leaders()[0], a, 'the first node started leads');
    // The leader's session ends (as when its process dies): its lock goes with it.
    await pg.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'node-a-lead'",
    );
    await waitFor(() => b.scheduler.active, 'node B to take the lead');
    await waitFor(() => !a.scheduler.active, 'node A to step down');
    assert.deepEqual(leaders(), [b]);
  });

  it('a node that cannot reach the database reports it, drops its clients and acknowledges no write', async () => {
    const downs: boolean[] = [];
    a.storage.cluster!.onConnection((up) => downs.push(up));
    const before = await log.head(b.storage.sql, 'c-other');
    await pg.query('ALTER ROLE fg_node_a NOLOGIN');
    try {
      await pg.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'fg_node_a'");
      await waitFor(() => downs.includes(false), 'node A to report the database gone');
      assert.equal(a.healthy(), false);
      assert.equal((await fetch(`${a.url}/healthz`)).status, 503);
      await assert.rejects(a.domain.completePayment('c-other', { amountMinor: 100 }), { status: 503 });
      assert.deepEqual(await log.head(b.storage.sql, 'c-other'), before, 'nothing was written');
      assert.equal((await fetch(`${b.url}/healthz`)).status, 200, 'the other node is fine');
    } finally {
      await pg.query('ALTER ROLE fg_node_a LOGIN');
    }
    await waitFor(() => downs.at(-1) === true, 'node A to be back');
    assert.equal((await fetch(`${a.url}/healthz`)).status, 200);
    const after = await a.domain.completePayment('c-other', { amountMinor: 100 });
    assert.equal(after.seq, before.seq + 1);
  });
});

/** Polls a condition on the event loop (no fixed sleeps): fails after `ms`. */
async function waitFor(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
