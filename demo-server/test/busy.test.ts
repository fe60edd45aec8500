// A database locked by another process: the server keeps answering while a write waits for
// the lock, the write commits once the lock is let go, and past `busyTimeoutMs` the caller
// gets a clear 503 with nothing written. The lock is a real second connection's
// BEGIN IMMEDIATE on the server's own SQLite file, or on PostgreSQL another session's
// LOCK TABLE, held as long as the test needs.
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { once } from 'node:events';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { Snapshot } from '@fg/protocol';
import { EventLog } from '../src/db/eventlog.js';
import { PostgresStorage } from '../src/db/postgres.js';
import type { Sql } from '../src/db/storage.js';
import { AppError } from '../src/errors.js';
import {
  bearer,
  nextEvents,
  poll,
  post,
  simulate,
  startTestServer,
  suiteServer,
  testPostgres,
  tokenFor,
  WAIT_MS,
  within,
  WsClient,
  type TestServer,
} from './helpers.js';

/** Holds the database's write lock from another connection until `release` (idempotent). */
function lockFromOutside(server: TestServer): { release(): void } {
  const other = new Database(server.dbPath);
  other.exec('BEGIN IMMEDIATE');
  return {
    release() {
      if (!other.open) return;
      other.exec('ROLLBACK');
      other.close();
    },
  };
}

async function dashboardSeq(server: TestServer, token: string): Promise<number> {
  const res = await fetch(`${server.url}/api/dashboard`, { headers: bearer(token) });
  assert.equal(res.status, 200);
  return ((await res.json()) as Snapshot).seq;
}

describe('a database locked by another process', () => {
  // Far longer than the test takes: the waiting write must outlast the lock, not time out.
  const server = suiteServer({ busyTimeoutMs: 10_000 });

  it('keeps answering while a write waits for the lock, then commits it and loses nothing', async () => {
    const token = await tokenFor(server, 'c-story');
    const ws = await WsClient.connect(server, token);
    const snapshot = await ws.next();
    assert.equal(snapshot.type, 'snapshot');
    const before = snapshot.type === 'snapshot' ? snapshot.seq : -1;

    const lock = lockFromOutside(server);
    let written = false;
    let queued: Promise<Response> | undefined;
    try {
      const waiting = server.domain
        .addTask('c-story', { title: 'written once the lock is free' })
        .finally(() => (written = true));
      // Asked for after the first write: it commits after it.
      queued = post(server, '/api/demo/simulate', { consultantId: 'c-story', action: 'book' });
      // Both are judged below; a failure before then is the test's, not an unhandled rejection.
      waiting.catch(() => {});
      queued.catch(() => {});

      // The event loop is free: a health check (which reads the database), a snapshot (a
      // read transaction) and a WebSocket ping are all answered while the write waits.
      const health = await fetch(`${server.url}/healthz`);
      assert.equal(health.status, 200);
      assert.deepEqual(await health.json(), { ok: true });
      assert.equal(await dashboardSeq(server, token), before, 'a read sees only what is committed');
      ws.send({ type: 'ping', id: 'while-locked' });
      assert.deepEqual(await ws.next(), { type: 'pong', id: 'while-locked', serverTime: server.clock.now() });
      assert.equal(written, false, 'the write is still waiting for the lock');

      lock.release();
      const event = await waiting;
      assert.equal(event.seq, before + 1);
      assert.equal(event.kind, 'task.created');
    } finally {
      lock.release();
    }

    const booked = await queued;
    assert.equal(booked.status, 200);
    assert.equal(((await booked.json()) as { seq: number }).seq, before + 2, 'writes keep their order');
    assert.deepEqual(
      (await nextEvents(ws, 2)).map((e) => [e.seq, e.kind]),
      [
        [before + 1, 'task.created'],
        [before + 2, 'consultation.booked'],
      ],
      'both events reach the open connection',
    );
    assert.equal(await dashboardSeq(server, token), before + 2);
    await ws.close();
  });
});

describe('a database locked for longer than busyTimeoutMs', () => {
  // Tens of milliseconds of wall time: the only wait in this file that runs to its end.
  const server = suiteServer({ busyTimeoutMs: 30 });

  it('answers 503 with Retry-After, writes nothing, and the next write gets the next seq', async () => {
    const token = await tokenFor(server, 'c-story');
    const before = await dashboardSeq(server, token);

    const lock = lockFromOutside(server);
    let ran = 0;
    try {
      const res = await post(server, '/api/demo/simulate', { consultantId: 'c-story', action: 'book' });
      assert.equal(res.status, 503);
      assert.equal(res.headers.get('retry-after'), '1');
      const body = (await res.json()) as { error: string; message: string };
      assert.equal(body.error, 'busy');
      assert.match(body.message, /nothing was written/);

      // Two writes in line: the second's wait counts from when it was asked for, and
      // neither runs its transaction body.
      const outcomes = await Promise.allSettled([
        server.storage.write(async () => ran++),
        server.storage.write(async () => ran++),
      ]);
      for (const outcome of outcomes) {
        assert.equal(outcome.status, 'rejected');
        const error = outcome.status === 'rejected' ? (outcome.reason as unknown) : undefined;
        assert.ok(error instanceof AppError, 'a clear error, not a raw SQLITE_BUSY');
        assert.equal(error.status, 503);
        assert.equal(error.headers['Retry-After'], '1');
      }
      assert.equal(ran, 0, 'no transaction body ran');
    } finally {
      lock.release();
    }

    assert.equal(await dashboardSeq(server, token), before, 'no event was appended');
    assert.equal(
      (await simulate(server, 'c-story', { action: 'payment' })).seq,
      before + 1,
      'no seq was lost',
    );
  });
});

/** Rows in the server's event log, read from outside the server (it may be closed). */
async function eventCount(server: TestServer): Promise<number> {
  if (server.backend === 'sqlite') {
    const db = new Database(server.dbPath, { readonly: true });
    try {
      return db.prepare<[], { n: number }>('SELECT count(*) AS n FROM events').get()!.n;
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: server.databaseUrl });
  await client.connect();
  try {
    return (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM events')).rows[0]!.n;
  } finally {
    await client.end();
  }
}

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`a server told to stop while a write waits for the lock (${backend})`, () => {
    it('answers the write 503 at once, before its connections go, and writes nothing', async () => {
      // The wait would outlast the stop's 2 s grace many times over.
      const server = await startTestServer({ backend, busyTimeoutMs: 60_000 });
      const before = await eventCount(server);
      const lock =
        backend === 'sqlite' ? lockFromOutside(server) : await lockTable(server, 'event_logs', 'EXCLUSIVE');
      try {
        const answer = post(server, '/api/demo/simulate', { consultantId: 'c-story', action: 'book' });
        answer.catch(() => {});
        // SQLite tries again from the server's side; PostgreSQL waits inside the database.
        await (backend === 'sqlite' ? untilRetrying(server) : untilWaitingOnLock(server));
        const closed = server.close();
        const res = await within(answer, WAIT_MS, 'the answer');
        assert.equal(res.status, 503);
        assert.equal(res.headers.get('retry-after'), '1');
        const body = (await res.json()) as { error: string; message: string };
        assert.equal(body.error, 'busy');
        assert.match(body.message, /stopping; nothing was written/);
        await closed;
      } finally {
        await lock.release();
      }
      assert.equal(await eventCount(server), before, 'no event was appended');
    });
  });
}

describe('a PostgreSQL node told to stop', () => {
  it("cancels its own statements' waits for a lock, not those of another node of the same name", async () => {
    const databaseUrl = await (await testPostgres()).createDatabase();
    const database = { databaseUrl } as TestServer;
    // Nodes left to the default name share it when their processes share a pid (containers).
    const other = await PostgresStorage.open(databaseUrl, { nodeName: 'fg-1', busyTimeoutMs: 60_000 });
    const stopping = await PostgresStorage.open(databaseUrl, { nodeName: 'fg-1', busyTimeoutMs: 60_000 });
    const lock = await lockTable(database, 'meta', 'ACCESS EXCLUSIVE');
    let waiting: Promise<number> | undefined;
    try {
      waiting = other.write((tx) => tx.run("UPDATE meta SET value = value WHERE key = 'schema_version'"));
      waiting.catch(() => {});
      await untilWaitingOnLock(database);
      stopping.stopWaiting();
      // Closing waits for the cancelling to be done.
      await stopping.close();
      assert.equal(await statementsWaitingOnLocks(databaseUrl), 1, "the other node's write still waits");
    } finally {
      await lock.release();
    }
    assert.equal(await waiting, 1, "the other node's write went on once the lock was let go");
    await other.close();
  });

  it('stops even when the database does not answer the cancelling', async (t) => {
    const storage = await PostgresStorage.open(await (await testPostgres()).createDatabase());
    // The database's address now accepts connections and says nothing (a hung pooler, a
    // route that drops packets): the cancelling's connection is given up on.
    const silent = net.createServer(() => {}).listen(0, '127.0.0.1');
    await once(silent, 'listening');
    try {
      const { port } = silent.address() as net.AddressInfo;
      (storage as unknown as { url: string }).url = `postgres://fg:fg@127.0.0.1:${port}/fg`;
      t.mock.method(console, 'error', () => {});
      storage.stopWaiting();
      await within(storage.close(), WAIT_MS, 'the storage to close');
    } finally {
      silent.close();
    }
  });

  it('lets no statement wait for a lock after that: one waiting for a connection, or between two statements', async () => {
    const databaseUrl = await (await testPostgres()).createDatabase();
    const database = { databaseUrl } as TestServer;
    // One connection: the second write waits for the first one's, and gets it after the cancel.
    const storage = await PostgresStorage.open(databaseUrl, { poolSize: 1, busyTimeoutMs: 60_000 });
    const lock = await lockTable(database, 'meta', 'ACCESS EXCLUSIVE');
    try {
      const touch = (tx: Sql) => tx.run("UPDATE meta SET value = value WHERE key = 'schema_version'");
      const writes = [storage.write(touch), storage.write(touch)];
      for (const write of writes) write.catch(() => {});
      await untilWaitingOnLock(database);
      storage.stopWaiting();
      for (const outcome of await within(Promise.allSettled(writes), WAIT_MS, 'both writes to be answered')) {
        assert.equal(outcome.status, 'rejected');
        const error = outcome.status === 'rejected' ? (outcome.reason as unknown) : undefined;
        assert.ok(error instanceof AppError);
        assert.match(error.message, /stopping; nothing was written/);
      }
    } finally {
      await lock.release();
      await storage.close();
    }
  });
});

/** Resolves when the server's SQLite connection has found the database locked (a spy on it). */
function untilRetrying(server: TestServer): Promise<void> {
  const db = (server.storage as unknown as { db: Database.Database }).db;
  const exec = db.exec.bind(db);
  return new Promise((resolve) => {
    db.exec = (sql: string) => {
      try {
        return exec(sql);
      } catch (error) {
        if ((error as { code?: string }).code === 'SQLITE_BUSY') resolve();
        throw error;
      }
    };
  });
}

/** How many statements wait for a lock in this PostgreSQL database now. */
async function statementsWaitingOnLocks(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const waiting = await client.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE NOT l.granted AND d.datname = current_database()',
    );
    return waiting.rows[0]!.n;
  } finally {
    await client.end();
  }
}

/** Resolves when one of the server's statements waits for a lock in PostgreSQL. */
async function untilWaitingOnLock(server: TestServer): Promise<void> {
  const deadline = performance.now() + WAIT_MS;
  while ((await statementsWaitingOnLocks(server.databaseUrl)) === 0) {
    if (performance.now() > deadline) throw new Error('no statement waits for the lock');
  }
}

describe('a database that cannot write (read-only, or its disk full)', () => {
  const server = suiteServer();

  it('answers a write 503 with Retry-After, writes nothing, logs once, and writes again once it can', async (t) => {
    const token = await tokenFor(server, 'c-story');
    const before = await dashboardSeq(server, token);
    const db = (server.storage as unknown as { db: Database.Database }).db;
    // As a file made read-only, or a full disk, does to SQLite: a write fails (SQLITE_READONLY).
    db.pragma('query_only = 1');
    const errors = t.mock.method(console, 'error', () => {});
    const long = 'x'.repeat(1900);
    for (let i = 0; i < 3; i++) {
      const res = await post(server, '/api/demo/simulate', {
        consultantId: 'c-story',
        action: 'message',
        text: long,
      });
      assert.equal(res.status, 503);
      assert.equal(res.headers.get('retry-after'), '10');
      const body = (await res.json()) as { error: string; message: string };
      assert.equal(body.error, 'busy');
      assert.match(body.message, /^The database cannot write now \(SQLITE_READONLY\); nothing was written/);
    }
    assert.equal(errors.mock.callCount(), 1, 'one line, not one per request');
    assert.match(String(errors.mock.calls[0]!.arguments[0]), /SQLITE_READONLY/);
    assert.equal(await dashboardSeq(server, token), before, 'nothing was written');
    db.pragma('query_only = 0');
    await simulate(server, 'c-story', { action: 'message', text: long });
    assert.equal(await dashboardSeq(server, token), before + 1);
  });
});

describe('a damaged SQLite file', () => {
  it('answers 503 naming the damage, fails its health check, and logs once', async (t) => {
    const first = await startTestServer({ keepAfter: true });
    const { dbPath, dir } = first;
    const token = await tokenFor(first, 'c-story');
    await first.close();
    // A table's pages overwritten, as a bad disk or a copy taken mid-write leaves them; the
    // file's header and its list of tables are intact, so it opens.
    const db = new Database(dbPath);
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const root = db
      .prepare<[], { rootpage: number }>("SELECT rootpage FROM sqlite_master WHERE name = 'consultations'")
      .get()!.rootpage;
    db.close();
    const file = openSync(dbPath, 'r+');
    writeSync(file, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (root - 1) * pageSize);
    closeSync(file);

    const errors = t.mock.method(console, 'error', () => {});
    const server = await startTestServer({ dbPath });
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${server.url}/api/dashboard`, { headers: bearer(token) });
      assert.equal(res.status, 503);
      assert.equal(res.headers.get('retry-after'), '60', 'it waits for someone to restore the file');
      const body = (await res.json()) as { error: string; message: string };
      assert.equal(body.error, 'busy');
      assert.match(body.message, /^The database is damaged \(SQLITE_CORRUPT\)/);
    }
    assert.equal(
      (await fetch(`${server.url}/healthz`)).status,
      503,
      'a load balancer sends clients elsewhere',
    );
    const lines = errors.mock.calls.map((call) => call.arguments.map(String).join(' '));
    assert.equal(
      lines.filter((line) => /SQLITE_CORRUPT.*restore the file/.test(line)).length,
      1,
      lines.join('\n'),
    );
  });
});

/** Another session on the server's PostgreSQL database, holding a table lock until `release`. */
async function lockTable(
  server: TestServer,
  table: string,
  mode: string,
): Promise<{ release(): Promise<void> }> {
  const other = new pg.Client({ connectionString: server.databaseUrl, application_name: 'fg-test-locker' });
  await other.connect();
  try {
    await other.query('BEGIN');
    await other.query(`LOCK TABLE ${table} IN ${mode} MODE`);
  } catch (error) {
    await other.end();
    throw error;
  }
  let released: Promise<void> | undefined;
  return {
    release: () =>
      (released ??= other
        .query('ROLLBACK')
        .then(() => undefined)
        .finally(() => other.end())),
  };
}

/** A refusal because the database is busy: 503 with `Retry-After`. */
async function assertBusy(res: Response, message = /Retry shortly/): Promise<void> {
  assert.equal(res.status, 503);
  assert.equal(res.headers.get('retry-after'), '1');
  const body = (await res.json()) as { error: string; message: string };
  assert.equal(body.error, 'busy');
  assert.match(body.message, message);
}

describe('a PostgreSQL table locked by another session', () => {
  // Each statement waits this long for a lock, then the request fails busy.
  const server = suiteServer({ backend: 'postgres', busyTimeoutMs: 100 });
  /** How many statements wait for a lock at this moment, from `pg_locks`. */
  const waitingOnLocks = async (): Promise<number> =>
    (
      await (
        await testPostgres()
      ).query<{ n: number }>('SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted')
    )[0]!.n;

  it('refuses writes with 503 and Retry-After after busyTimeoutMs, keeps answering reads and health checks, and writes nothing', async () => {
    const token = await tokenFor(server, 'c-story');
    const before = await dashboardSeq(server, token);

    const lock = await lockTable(server, 'event_logs', 'EXCLUSIVE');
    try {
      // More writes at once than the pool has connections: each gives up its connection
      // after the bounded wait, so none is left waiting for the lock.
      const writes = Array.from({ length: 12 }, () =>
        post(server, '/api/demo/simulate', { consultantId: 'c-story', action: 'book' }),
      );
      for (const res of await within(Promise.all(writes), WAIT_MS, 'the writes to be refused')) {
        await assertBusy(res, /nothing was written/);
      }
      assert.equal(await waitingOnLocks(), 0, 'no statement still waits for the lock');

      // The lock is still held, and everything that needs no lock on the table is answered.
      const health = await fetch(`${server.url}/healthz`);
      assert.equal(health.status, 200);
      assert.deepEqual(await health.json(), { ok: true });
      assert.equal(await dashboardSeq(server, token), before, 'a read sees only what is committed');
      const minted = await post(server, '/api/demo/token', { consultantId: 'c-story' });
      assert.equal(minted.status, 200);
    } finally {
      await lock.release();
    }

    assert.equal(await dashboardSeq(server, token), before, 'no event was appended');
    assert.equal(
      (await simulate(server, 'c-story', { action: 'payment' })).seq,
      before + 1,
      'the next write works and no seq was lost',
    );
  });

  it('refuses reads that need the locked table the same way, serves those that do not, and reads again once it is let go', async () => {
    const token = await tokenFor(server, 'c-story');
    const dashboard = await fetch(`${server.url}/api/dashboard`, { headers: bearer(token) });
    const { epoch, seq } = (await dashboard.json()) as Snapshot;
    // A poll resuming from one event back reads the events; the relay reads them the same
    // way, outside any transaction, through the pool.
    const resume = `${server.url}/api/changes?epoch=${epoch}&since=${seq - 1}&wait=0`;
    const log = new EventLog(server.storage, { events: 10_000, ms: 24 * 3600_000 });

    // The strongest lock: even a plain SELECT of the events waits for it.
    const lock = await lockTable(server, 'events', 'ACCESS EXCLUSIVE');
    try {
      const [changes, relayRead] = await within(
        Promise.allSettled([
          fetch(resume, { headers: bearer(token) }),
          log.after(server.storage.sql, 'c-story', 0),
        ]),
        WAIT_MS,
        'the reads to give up',
      );
      assert.equal(changes.status, 'fulfilled');
      if (changes.status === 'fulfilled') await assertBusy(changes.value);
      assert.equal(relayRead.status, 'rejected');
      const error = relayRead.status === 'rejected' ? (relayRead.reason as unknown) : undefined;
      assert.ok(error instanceof AppError, 'a clear error the relay tries again after, not a hang');
      assert.equal(error.status, 503);
      assert.equal(await waitingOnLocks(), 0, 'no statement still waits for the lock');

      // A snapshot does not read the events: it is answered while the lock is held.
      assert.equal(await dashboardSeq(server, token), seq);
      const health = await fetch(`${server.url}/healthz`);
      assert.equal(health.status, 200);
    } finally {
      await lock.release();
    }

    const resumed = await poll(server, token, { epoch, since: seq - 1 });
    assert.equal(resumed.status, 200);
    assert.deepEqual(
      resumed.frames.map((f) => f.type === 'event' && f.seq),
      [seq],
      'the poll resumes',
    );
    assert.equal(
      (await log.after(server.storage.sql, 'c-story', seq - 1)).length,
      1,
      'the relay reads again',
    );
  });
});

describe('a PostgreSQL statement that runs past its time', () => {
  let storage: PostgresStorage;
  before(async () => {
    const url = await (await testPostgres()).createDatabase();
    storage = await PostgresStorage.open(url, { statementTimeoutMs: 50 });
  });
  after(() => storage?.close());

  it('is cancelled and fails busy, and its connection, rolled back, serves the next transaction', async () => {
    const session = (): Promise<{ pid: number } | undefined> =>
      storage.read((tx) => tx.get<{ pid: number }>('SELECT pg_backend_pid() AS pid'));
    const first = await session();
    const slow = storage.read((tx) => tx.get('SELECT pg_sleep(5)'));
    await assert.rejects(
      within(slow, WAIT_MS, 'the statement to be cancelled'),
      (error: unknown) =>
        error instanceof AppError && error.status === 503 && error.headers['Retry-After'] === '1',
    );
    assert.deepEqual(await session(), first, 'the same connection, not a new one');
  });
});
