/**
 * The embedded database: one better-sqlite3 connection in WAL mode, behind the storage
 * interface. better-sqlite3 is synchronous, so a promise here normally resolves with a value
 * already computed; transactions take turns on the one connection (a queue, which costs
 * nothing when there is no contention), so none ever sees another's uncommitted writes.
 *
 * Another process can hold the database's lock (a write transaction, a backup, the sqlite3
 * shell). SQLite's own busy wait would sleep inside the call and stall the event loop, and
 * with it every connection this server carries, so it is off: a locked database fails at
 * once, and the transaction (or statement) tries again after a pause that yields to the
 * event loop, with growing pauses, until `busyTimeoutMs` has passed since it was asked for.
 * Then it fails busy (503, `Retry-After`), having written nothing. While a write waits for
 * the lock it does not hold the connection, so reads go on beside it; writes keep their order.
 */
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, realpathSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { AppError, busy, isBusyError, stopping } from '../errors.js';
import { SCHEMA, SCHEMA_VERSION } from './schema.js';
import type { Dialect, Sql, SqlValue, Storage } from './storage.js';

export interface SqliteOptions {
  /**
   * How long a transaction or statement waits for another process's lock before it fails
   * busy (default 5000). The wait never blocks the event loop.
   */
  busyTimeoutMs?: number;
}

const DIALECT: Dialect = { name: 'sqlite', forUpdate: '', insertionOrder: 'rowid' };

/** The first pause before trying a locked database again, and the longest one. */
const RETRY_FIRST_MS = 1;
const RETRY_MAX_MS = 50;

/** What a try answers when the database was locked and there is time to try again. */
const LOCKED = Symbol('locked');

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Takers of one resource, one at a time, in the order they asked. */
class Turns {
  private held = false;
  private readonly waiting: (() => void)[] = [];

  get taken(): boolean {
    return this.held;
  }

  /**
   * Runs `fn` when it is this caller's turn: at once (synchronously) when nobody holds it.
   * The turn passes straight to the next in line; it is never free in between.
   */
  async take<T>(fn: () => Promise<T>): Promise<T> {
    if (this.held) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.held = true;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.held = false;
    }
  }
}

/** A closed connection: the database does not answer. */
function isClosedError(error: unknown): boolean {
  return error instanceof TypeError && /database connection is not open/i.test(error.message);
}

/** SQLite's codes for a database that cannot write now: its disk full, its file read-only, an I/O error. */
const CANNOT_WRITE = /^SQLITE_(FULL|READONLY|IOERR)/;
/** SQLite's codes for a damaged file: pages that are not what they should be. */
const DAMAGED = /^SQLITE_(CORRUPT|NOTADB)/;
/** When each of those was last logged: one line a minute for each, however many requests fail. */
const logged = new Map<string, number>();
const LOG_EVERY_MS = 60_000;
/** Retry-After when the database cannot write, in seconds: a full disk takes longer than a lock. */
const CANNOT_WRITE_RETRY_S = 10;
/** Retry-After for a damaged database, in seconds: it waits for someone to restore it. */
const DAMAGED_RETRY_S = 60;

function logOncePerMinute(code: string, line: string): void {
  const now = performance.now();
  const last = logged.get(code);
  if (last !== undefined && now - last < LOG_EVERY_MS) return;
  logged.set(code, now);
  console.error(line);
}

function translate(error: unknown): unknown {
  if (error instanceof AppError) return error;
  if (isBusyError(error)) return busy();
  if (isClosedError(error)) return busy('The database is not available; nothing was written. Retry shortly.');
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return error;
  const message = (error as Error).message;
  if (CANNOT_WRITE.test(code)) {
    logOncePerMinute(code, `the SQLite database cannot write (${code}: ${message}); writes answer 503`);
    // Rolled back: nothing was written.
    return busy(
      `The database cannot write now (${code}); nothing was written. Retry later.`,
      CANNOT_WRITE_RETRY_S,
    );
  }
  if (DAMAGED.test(code)) {
    logOncePerMinute(
      code,
      `the SQLite database is damaged (${code}: ${message}); requests answer 503 and /healthz fails: stop the server and restore the file from a backup`,
    );
    return busy(`The database is damaged (${code}); nothing was written. Retry later.`, DAMAGED_RETRY_S);
  }
  return error;
}

/**
 * Holds an exclusive lock on a file beside the database (`<file>-server`, beside the file a
 * link leads to) for as long as this server runs; the system lets it go when the process
 * ends, however it ends. A second server on the same file would not hear this one's commits
 * (its clients would wait for them), so it refuses to start.
 */
function claim(path: string): Database.Database {
  // Named after the file itself, however it is reached (a symbolic link, `..`).
  const real = existsSync(path) ? realpathSync(path) : join(realpathSync(dirname(path)), basename(path));
  const held = new Database(`${real}-server`);
  try {
    held.pragma('locking_mode = EXCLUSIVE');
    held.exec(
      `CREATE TABLE IF NOT EXISTS server (pid INTEGER); BEGIN EXCLUSIVE; DELETE FROM server; INSERT INTO server VALUES (${process.pid}); COMMIT`,
    );
    return held;
  } catch (error) {
    held.close();
    if (isBusyError(error)) throw new Error('in use by another FG Live server: one server per SQLite file');
    throw error;
  }
}

export class SqliteStorage implements Storage {
  readonly dialect = DIALECT;
  readonly cluster = null;
  readonly db: Database.Database;
  /** This server's claim on the file (see `claim`). */
  private readonly claim: Database.Database | undefined;
  private readonly statements = new Map<string, Database.Statement<SqlValue[]>>();
  /** Statements on the connection as it is: used inside a transaction that holds the turn. */
  private readonly direct: Sql;
  readonly sql: Sql;
  /** Turns on the connection: one transaction (or statement) at a time. */
  private readonly connection = new Turns();
  /** Turns among write transactions, so they commit in the order they were asked for. */
  private readonly writers = new Turns();
  private readonly busyTimeoutMs: number;
  /** Set when the server stops: nothing waits for a lock any more (see `stopWaiting`). */
  private stopping = false;
  /** Set once SQLite has found the file damaged: no health check passes after it. */
  private damaged = false;

  constructor(path: string, options: SqliteOptions = {}) {
    if (path !== ':memory:') {
      mkdirSync(dirname(path), { recursive: true });
      this.claim = claim(path);
    }
    this.busyTimeoutMs = Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000));
    try {
      this.db = this.open(path);
    } catch (error) {
      // Nothing of this server's is left beside a database it refused.
      if (this.claim) {
        this.claim.close();
        rmSync(this.claim.name, { force: true });
      }
      throw error;
    }
    this.direct = this.sqlThrough((fn) => this.attempt(fn));
    // A statement on its own waits for a transaction in progress to end, and for another
    // process's lock like a transaction does.
    this.sql = this.sqlThrough((fn) => this.statement(fn));
  }

  private open(path: string): Database.Database {
    const db = new Database(path);
    try {
      this.prepareDatabase(db);
      return db;
    } catch (error) {
      db.close();
      throw error;
    }
  }

  private prepareDatabase(db: Database.Database): void {
    // Opening happens before the server takes any connection, so here (only) SQLite may
    // wait for another process's lock in its own, blocking way.
    db.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
    // Refused before anything is written to it: a file with tables but not ours (no `meta`) is
    // another application's database, and one of a later schema is not one this server knows.
    const tables = db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
      .all();
    if (tables.length && !tables.some((table) => table.name === 'meta'))
      throw new Error("another application's database: it has tables, none of them FG Live's");
    const version = tables.length
      ? db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'schema_version'").get()?.value
      : undefined;
    if (version !== undefined && version !== String(SCHEMA_VERSION))
      throw new Error(`its schema is version ${version}; this server reads version ${SCHEMA_VERSION}`);
    // WAL lets readers (other processes, backups) run beside the writer; NORMAL sync is
    // crash-safe in WAL mode and keeps commits cheap enough for bursts of events.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.exec(SCHEMA);
    db.prepare("INSERT INTO meta (key, value) VALUES ('schema_version', ?) ON CONFLICT (key) DO NOTHING").run(
      String(SCHEMA_VERSION),
    );
    // From now on a locked database fails at once and is tried again without blocking.
    db.pragma('busy_timeout = 0');
  }

  /** The three kinds of statement, each run through `run`. */
  private sqlThrough(run: <T>(fn: () => T) => Promise<T>): Sql {
    return {
      get: <T>(sql: string, params: readonly SqlValue[] = []) =>
        run(() => this.prepare(sql).get(...params) as T | undefined),
      all: <T>(sql: string, params: readonly SqlValue[] = []) =>
        run(() => this.prepare(sql).all(...params) as T[]),
      run: (sql: string, params: readonly SqlValue[] = []) =>
        run(() => this.prepare(sql).run(...params).changes),
    };
  }

  private prepare(sql: string): Database.Statement<SqlValue[]> {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare<SqlValue[]>(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private attempt<T>(fn: () => T): Promise<T> {
    try {
      return Promise.resolve(fn());
    } catch (error) {
      return Promise.reject(this.translate(error));
    }
  }

  /** When something asked for now stops waiting for a locked database. */
  private deadline(): number {
    return performance.now() + this.busyTimeoutMs;
  }

  /**
   * Tries `once` until it answers something other than LOCKED, pausing between tries
   * without blocking: 1 ms, then twice as long each time up to RETRY_MAX_MS, never past
   * `deadline`. `once` answers LOCKED only while the deadline is ahead, so the last try is
   * at or after it and fails busy if the database is still locked.
   */
  private async retry<T>(deadline: number, once: () => Promise<T | typeof LOCKED>): Promise<T> {
    for (let wait = RETRY_FIRST_MS; ; wait = Math.min(RETRY_MAX_MS, wait * 2)) {
      const outcome = await once();
      if (outcome !== LOCKED) return outcome;
      await pause(Math.max(0, Math.min(wait, deadline - performance.now())));
    }
  }

  /** A locked database is worth another try while `deadline` is ahead and the server goes on. */
  private lockedUntil(error: unknown, deadline: number): boolean {
    return isBusyError(error) && !this.stopping && performance.now() < deadline;
  }

  /**
   * A database error as the caller sees it: a lock that outlasted the server's life says so,
   * and a damaged file is remembered (the health check fails from then on).
   */
  private translate(error: unknown): unknown {
    if (this.stopping && isBusyError(error)) return stopping();
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && DAMAGED.test(code)) this.damaged = true;
    return translate(error);
  }

  /**
   * What waits for another process's lock fails busy at its next try (within RETRY_MAX_MS),
   * so its caller is answered while the server still has its connections.
   */
  stopWaiting(): void {
    this.stopping = true;
  }

  /** A statement outside a transaction: its own transaction, which takes any lock it needs. */
  private statement<T>(run: () => T): Promise<T> {
    const deadline = this.deadline();
    const once = (): T | typeof LOCKED => {
      try {
        return run();
      } catch (error) {
        // A statement that failed on a lock did nothing: it can run again.
        if (this.lockedUntil(error, deadline)) return LOCKED;
        throw this.translate(error);
      }
    };
    // The common case: nothing else on the connection and the database free, answered at once.
    if (!this.connection.taken) {
      try {
        const first = once();
        if (first !== LOCKED) return Promise.resolve(first);
      } catch (error) {
        return Promise.reject(error as Error);
      }
    }
    return this.retry(deadline, () => this.connection.take(async () => once()));
  }

  /**
   * Runs `fn` in a transaction once its locks are held. A write takes the write lock with
   * BEGIN IMMEDIATE and a read takes its snapshot at once, so a locked database fails
   * before `fn` runs (and before anything is written); the connection is then let go until
   * the next try, so others use it meanwhile.
   */
  private transaction<T>(mode: 'write' | 'read', deadline: number, fn: (tx: Sql) => Promise<T>): Promise<T> {
    return this.retry(deadline, () =>
      this.connection.take(async () => {
        try {
          if (mode === 'write') {
            this.db.exec('BEGIN IMMEDIATE');
          } else {
            this.db.exec('BEGIN DEFERRED');
            this.prepare('PRAGMA schema_version').get();
          }
        } catch (error) {
          if (this.db.open && this.db.inTransaction) this.db.exec('ROLLBACK');
          if (this.lockedUntil(error, deadline)) return LOCKED;
          throw this.translate(error);
        }
        try {
          const result = await fn(this.direct);
          this.db.exec('COMMIT');
          return result;
        } catch (error) {
          if (this.db.open && this.db.inTransaction) this.db.exec('ROLLBACK');
          throw this.translate(error);
        }
      }),
    );
  }

  write<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    // The deadline counts from now: time spent behind earlier writes is part of the wait.
    const deadline = this.deadline();
    return this.writers.take(() => this.transaction('write', deadline, fn));
  }

  read<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    return this.transaction('read', this.deadline(), fn);
  }

  /** One process owns an SQLite file's server: a write transaction is exclusive enough. */
  setup<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    return this.write(fn);
  }

  async ping(): Promise<boolean> {
    if (this.damaged) return false;
    try {
      return (await this.sql.get('SELECT 1 AS ok')) !== undefined;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
    if (this.claim?.open) this.claim.close();
  }
}
