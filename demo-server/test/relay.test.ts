// A node's read of the event log can fail (its pool has no connection to give within the
// timeout, in a reconnect storm). The read is tried again by itself, on the server's plumbing
// timers, so the events it was after reach that node's clients without any further change
// for the consultant and without the database connection dropping. The waits grow to a
// bound, one attempt at a time is scheduled, one line is logged per incident, and nothing
// stays scheduled once nobody follows the log or the server stops.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../src/clock.js';
import type { ConsultantRow } from '../src/db/consultants.js';
import type { EventLog, LogHead, OutEvent } from '../src/db/eventlog.js';
import type { Sql, Storage } from '../src/db/storage.js';
import { Stream, type Feed, type Outgoing } from '../src/feed.js';
import { Hub, type Subscriber } from '../src/hub.js';
import { Relay } from '../src/relay.js';
import {
  nextEvents,
  sameDatabase,
  startTestServer,
  T0,
  tokenFor,
  within,
  WsClient,
  type TestServer,
} from './helpers.js';

/** The relay's query: the events after a seq, read outside any transaction. */
const EVENTS_AFTER = 'FROM events WHERE consultant_id = ? AND seq > ?';

/**
 * Makes the next read of the events after a seq on `sql` fail, as a pool that gives no
 * connection in time does; everything else, and every later read, goes to the database.
 * Resolves when the failure has been thrown.
 */
function failNextEventsRead(sql: Sql): Promise<void> {
  const all = sql.all;
  return new Promise((resolve) => {
    sql.all = async <T>(text: string, params?: Parameters<Sql['all']>[1]): Promise<T[]> => {
      if (!text.includes(EVENTS_AFTER)) return all<T>(text, params);
      sql.all = all;
      resolve();
      throw new Error('timeout exceeded when trying to connect');
    };
  });
}

/** One turn of the event loop: the promise callbacks queued so far have run. */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Waits, turn by turn of the event loop (no fixed sleep), until `condition` holds. */
async function until(condition: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await turn();
  }
}

describe('relay on PostgreSQL: a failed read of the log', () => {
  let a: TestServer;
  let b: TestServer;
  /** Node B's plumbing timers, moved by hand. */
  const timers = new ManualClock(T0);
  before(async () => {
    a = await startTestServer({ backend: 'postgres', nodeName: 'node-a', keepAfter: true });
    b = await startTestServer({ ...sameDatabase(a), nodeName: 'node-b', timers, keepAfter: true });
  });
  after(async () => {
    await b?.close();
    await a?.close();
  });

  it('is tried again by itself: an event committed on another node reaches the client without any further change', async () => {
    const consultant = 'c-empty';
    const client = await WsClient.connect(b, await tokenFor(b, consultant));
    try {
      const snapshot = await client.next();
      assert.equal(snapshot.type, 'snapshot');
      const start = snapshot.type === 'snapshot' ? snapshot.seq : -1;
      assert.equal(b.hub.headOf(consultant)?.seq, start, 'node B follows the log from the snapshot');

      const failed = failNextEventsRead(b.storage.sql);
      const scheduled = timers.pending();
      const event = await a.domain.addTask(consultant, { title: 'committed on node A' });
      assert.equal(event.seq, start + 1);
      // The signal reaches node B, whose read of the log fails.
      await within(failed, 5_000, "node B's read of the log to fail");
      await turn(); // the failure handled
      assert.deepEqual(client.drain(), [], 'nothing delivered yet');
      assert.equal(b.hub.headOf(consultant)?.seq, start, 'heartbeats would still say the old seq');

      // Nothing else happens for this consultant: only the attempt falling due reads again.
      timers.advance(100);
      await timers.settled();
      const [received] = await nextEvents(client, 1);
      assert.equal(received!.seq, event.seq);
      assert.equal(received!.epoch, event.epoch);
      assert.equal(timers.pending(), scheduled, 'no attempt left scheduled once the read worked');

      // Heartbeats now carry the delivered position.
      b.hub.beat();
      const heartbeat = await client.next();
      assert.equal(heartbeat.type, 'heartbeat');
      assert.equal(heartbeat.type === 'heartbeat' && heartbeat.seq, event.seq);
    } finally {
      await client.close();
    }
  });
});

/** A subscriber that records what it is given. */
class Recorder implements Subscriber {
  readonly transport = 'websocket' as const;
  readonly events: OutEvent[] = [];
  constructor(readonly consultantId: string) {}
  deliver(event: OutEvent): void {
    this.events.push(event);
  }
  readonly heartbeats: unknown[] = [];
  heartbeat(json: string): void {
    this.heartbeats.push(JSON.parse(json));
  }
  resync(): void {}
  oldestUnsent(): undefined {
    return undefined;
  }
  shutdown(): void {}
  unavailable(): void {}
}

const HEAD: LogHead = { epoch: 'e-1', seq: 0 };

const outEvent = (seq: number): OutEvent => ({
  consultantId: 'c-1',
  epoch: HEAD.epoch,
  seq,
  at: T0,
  kind: 'task.created',
  json: '{}',
  committedAt: 0,
});

/**
 * A relay whose log fails the first `failures` reads, then answers `events`; each read's
 * time on `timers` is recorded. Console output is captured.
 */
function failingRelay(failures: number, events: OutEvent[] = [outEvent(1)]) {
  const timers = new ManualClock(T0);
  const reads: number[] = [];
  let left = failures;
  const log = {
    after: async (): Promise<OutEvent[]> => {
      reads.push(timers.now());
      if (left-- > 0) throw new Error('timeout exceeded when trying to connect');
      return events;
    },
    head: async (): Promise<LogHead> => ({ epoch: HEAD.epoch, seq: events.at(-1)?.seq ?? 0 }),
  } as unknown as EventLog;
  const hub = new Hub(new ManualClock(T0), 60_000);
  const relay = new Relay(hub, { sql: {} } as Storage, log, timers);
  const sub = new Recorder('c-1');
  hub.subscribe(sub);
  hub.caughtUp('c-1', HEAD);
  const signal = (seq = 1): void =>
    relay.signal({ consultantId: 'c-1', epoch: HEAD.epoch, seq, kind: 'task.created' });
  return { timers, reads, hub, relay, sub, signal };
}

describe('relay: reads of the log that keep failing', () => {
  it('waits longer each time, up to a bound, with one attempt scheduled; logs once when it fails and once when it works again', async (t) => {
    const errors = t.mock.method(console, 'error', () => undefined);
    const infos = t.mock.method(console, 'log', () => undefined);
    const { timers, reads, sub, signal } = failingRelay(9);
    signal();
    await until(() => timers.pending() === 1, 'an attempt to be scheduled');
    // Far enough for every attempt: each one that fails schedules the next within the move.
    timers.advance(60_000);
    await timers.settled();

    assert.deepEqual(
      sub.events.map((e) => e.seq),
      [1],
    );
    const waits = reads.slice(1).map((at, i) => at - reads[i]!);
    assert.deepEqual(waits, [100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
    assert.equal(timers.pending(), 0, 'nothing scheduled once a read worked');
    assert.equal(errors.mock.callCount(), 1, 'one line when reads start failing');
    assert.match(String(errors.mock.calls[0]!.arguments[0]), /c-1 failed \(timeout exceeded/);
    assert.equal(infos.mock.callCount(), 1, 'one line when they work again');
    assert.match(String(infos.mock.calls[0]!.arguments[0]), /works again/);
  });

  it('keeps one attempt scheduled when other reads fail meanwhile, and none once nobody follows the log or the relay is closed', async (t) => {
    t.mock.method(console, 'error', () => undefined);
    const first = failingRelay(Infinity);
    first.signal();
    await until(() => first.timers.pending() === 1, 'an attempt to be scheduled');
    // Another signal reads at once and fails too: the attempt is pushed back, not doubled.
    first.signal(2);
    await until(() => first.reads.length === 2, 'the second read');
    await turn(); // its failure handled
    assert.equal(first.timers.pending(), 1, 'one attempt scheduled');
    first.timers.advance(100);
    await first.timers.settled();
    assert.equal(first.reads.length, 2, 'after a second failure the wait is twice as long');
    first.timers.advance(100);
    await first.timers.settled();
    assert.equal(first.reads.length, 3);
    assert.equal(first.timers.pending(), 1);
    first.hub.unsubscribe(first.sub);
    assert.equal(first.timers.pending(), 0, 'the last subscriber gone, no attempt is left');

    const second = failingRelay(Infinity);
    second.signal();
    await until(() => second.timers.pending() === 1, 'an attempt to be scheduled');
    second.relay.close();
    assert.equal(second.timers.pending(), 0, 'closed, no attempt is left');
    second.timers.advance(60_000);
    await second.timers.settled();
    assert.equal(second.reads.length, 1, 'and none is made');
  });
});

describe('hub: the head its heartbeats name', () => {
  it('is not put back on an old log by a read that began before a reset and ended after it', () => {
    const hub = new Hub(new ManualClock(T0), 60_000);
    const sub = new Recorder('c-1');
    hub.subscribe(sub);
    hub.caughtUp('c-1', { epoch: 'e-1', seq: 5 });
    hub.reset('c-1', { epoch: 'e-2', seq: 0 });
    // A second connection's read of the old log, ending now.
    hub.caughtUp('c-1', { epoch: 'e-1', seq: 5 });
    hub.beat();
    // Reads of the new log move it forward, never back.
    hub.caughtUp('c-1', { epoch: 'e-2', seq: 3 });
    hub.caughtUp('c-1', { epoch: 'e-2', seq: 2 });
    hub.beat();
    assert.deepEqual(sub.heartbeats, [
      { type: 'heartbeat', epoch: 'e-2', seq: 0, serverTime: T0 },
      { type: 'heartbeat', epoch: 'e-2', seq: 3, serverTime: T0 },
    ]);
  });
});

/** A connection's stream that records the events it sends its client (after dropping by seq). */
class Tab extends Stream {
  readonly transport = 'websocket' as const;
  readonly sent: number[] = [];
  constructor() {
    super({} as Feed, { id: 'c-1' } as ConsultantRow);
  }
  protected live(): boolean {
    return true;
  }
  protected sendEvent(event: OutEvent): void {
    this.sent.push(event.seq);
  }
  protected sendSnapshot(frame: Outgoing): void {
    throw new Error(`no snapshot expected, got one at ${frame.seq}`);
  }
  protected lost(error: unknown): void {
    throw error;
  }
  heartbeat(): void {}
  oldestUnsent(): undefined {
    return undefined;
  }
  shutdown(): void {}
  unavailable(): void {}
}

/** A relay over a log of `c-1` holding `committed` (events 1 to 5 at first); reads are counted. */
function relayOverLog() {
  const committed = [1, 2, 3, 4, 5].map(outEvent);
  let reads = 0;
  let reading = 0;
  const log = {
    after: async (_sql: Sql, _consultantId: string, seq: number): Promise<OutEvent[]> => {
      reads++;
      reading++;
      await turn(); // a trip to the database: the query sees what is committed when it answers
      reading--;
      return committed.filter((e) => e.seq > seq);
    },
    head: async (): Promise<LogHead> => ({ epoch: HEAD.epoch, seq: committed.at(-1)!.seq }),
  } as unknown as EventLog;
  const hub = new Hub(new ManualClock(T0), 60_000);
  const relay = new Relay(hub, { sql: {} } as Storage, log, new ManualClock(T0));
  /** Commits the next event on this node. */
  const commit = (): void => {
    const event = outEvent(committed.length + 1);
    committed.push(event);
    relay.committed(event);
  };
  /** What `Feed.attach` does once a connection's read of the log has answered `seq`. */
  const attached = (tab: Tab, seq: number): void => {
    const head = { epoch: HEAD.epoch, seq };
    hub.caughtUp('c-1', head);
    tab.open(head);
  };
  /** Every read of the log the relay started has answered, and none follows. */
  const idle = (): Promise<void> => until(() => reading === 0, 'the relay to stop reading');
  return { hub, commit, attached, idle, reads: () => reads };
}

// Connections subscribe, then read the log; on PostgreSQL their reads run side by side, so the
// one that began first may answer last. Events committed before any of them had answered were
// published to nobody: one whose read stopped short of them must still get them, once each.
describe('relay: connections whose reads of the log answer out of order', () => {
  it('gives a connection whose read answered last the events committed before the relay knew where to start', async () => {
    const { hub, commit, attached, idle } = relayOverLog();
    const first = new Tab();
    hub.subscribe(first); // its read sees up to 5, and answers late
    commit(); // 6 and 7: nothing here knows where to start yet
    commit();
    const second = new Tab();
    hub.subscribe(second); // its read sees up to 7, and answers first
    attached(second, 7);
    attached(first, 5);
    await idle();

    assert.deepEqual(first.sent, [6, 7]);
    assert.deepEqual(second.sent, [], 'nothing it has already');
    commit();
    assert.deepEqual(first.sent, [6, 7, 8]);
    assert.deepEqual(second.sent, [8]);
  });

  it('publishes nothing past the position it is set back to from a read already under way', async () => {
    const { hub, commit, attached, idle } = relayOverLog();
    const first = new Tab();
    hub.subscribe(first);
    commit(); // 6 and 7
    commit();
    const second = new Tab();
    hub.subscribe(second);
    attached(second, 7); // the relay starts reading after 7...
    commit(); // ...and finds 8 (its own signal waits for that read)
    attached(first, 5); // set back to 5 before that read answers
    await idle();

    assert.deepEqual(first.sent, [6, 7, 8], '8 only after 6 and 7');
    assert.deepEqual(second.sent, [8]);
  });

  it('reads nothing again for a connection behind the position whose events all came after it subscribed', async () => {
    const { hub, commit, attached, idle, reads } = relayOverLog();
    const first = new Tab();
    hub.subscribe(first);
    const second = new Tab();
    hub.subscribe(second); // its read sees up to 5, and answers late
    attached(first, 5);
    commit(); // 6 and 7, published to both
    commit();
    attached(second, 5);
    await idle();

    assert.deepEqual(first.sent, [6, 7]);
    assert.deepEqual(second.sent, [6, 7]);
    assert.equal(reads(), 0, 'no read of the log');
  });
});
