/**
 * The embedded database: one better-sqlite3 connection in WAL mode, behind the storage
 * interface. better-sqlite3 is synchronous, so every promise here resolves with a value
 * already computed; transactions take turns on the one connection (a queue, which costs
 * nothing when there is no contention), so none ever sees another's uncommitted writes.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { AppError, busy, isBusyError } from '../errors.js';
import { SCHEMA, SCHEMA_VERSION } from './schema.js';
import type { Dialect, Sql, SqlValue, Storage } from './storage.js';

export interface SqliteOptions {
  /** How long a write waits for another process's lock before SQLITE_BUSY. */
  busyTimeoutMs?: number;
}

const DIALECT: Dialect = { name: 'sqlite', forUpdate: '', insertionOrder: 'rowid' };

/** A closed connection: the database does not answer. */
function isClosedError(error: unknown): boolean {
  return error instanceof TypeError && /database connection is not open/i.test(error.message);
}

function translate(error: unknown): unknown {
  if (error instanceof AppError) return error;
  if (isBusyError(error)) return busy();
  if (isClosedError(error)) return busy('The database is not available; nothing was written. Retry shortly.');
  return error;
}

export class SqliteStorage implements Storage {
  readonly dialect = DIALECT;
  readonly cluster = null;
  readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement<SqlValue[]>>();
  /** Statements on the connection as it is: used inside a transaction that holds the turn. */
  private readonly direct: Sql;
  readonly sql: Sql;
  private locked = false;
  private readonly waiting: (() => void)[] = [];

  constructor(path: string, options: SqliteOptions = {}) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    // WAL lets readers (other processes, backups) run beside the writer; NORMAL sync is
    // crash-safe in WAL mode and keeps commits cheap enough for bursts of events.
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    this.db.pragma('foreign_keys = ON');
    this.db.exec(SCHEMA);
    this.db
      .prepare("INSERT INTO meta (key, value) VALUES ('schema_version', ?) ON CONFLICT (key) DO NOTHING")
      .run(String(SCHEMA_VERSION));

    this.direct = {
      get: <T>(sql: string, params: readonly SqlValue[] = []) =>
        this.attempt(() => this.prepare(sql).get(...params) as T | undefined),
      all: <T>(sql: string, params: readonly SqlValue[] = []) =>
        this.attempt(() => this.prepare(sql).all(...params) as T[]),
      run: (sql: string, params: readonly SqlValue[] = []) =>
        this.attempt(() => this.prepare(sql).run(...params).changes),
    };
    // A statement on its own waits for a transaction in progress to end.
    this.sql = {
      get: <T>(sql: string, params?: readonly SqlValue[]) =>
        this.locked ? this.turn(() => this.direct.get<T>(sql, params)) : this.direct.get<T>(sql, params),
      all: <T>(sql: string, params?: readonly SqlValue[]) =>
        this.locked ? this.turn(() => this.direct.all<T>(sql, params)) : this.direct.all<T>(sql, params),
      run: (sql: string, params?: readonly SqlValue[]) =>
        this.locked ? this.turn(() => this.direct.run(sql, params)) : this.direct.run(sql, params),
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
      return Promise.reject(translate(error));
    }
  }

  /** Runs `fn` when it is this caller's turn on the connection. */
  private async turn<T>(fn: () => Promise<T>): Promise<T> {
    if (this.locked) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.locked = true;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      // The turn passes straight to the next in line; the lock is never free in between.
      if (next) next();
      else this.locked = false;
    }
  }

  private transaction<T>(begin: string, fn: (tx: Sql) => Promise<T>): Promise<T> {
    return this.turn(async () => {
      try {
        // BEGIN IMMEDIATE takes the write lock first, so a busy database fails before
        // anything is written.
        this.db.exec(begin);
      } catch (error) {
        throw translate(error);
      }
      try {
        const result = await fn(this.direct);
        this.db.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.db.open && this.db.inTransaction) this.db.exec('ROLLBACK');
        throw translate(error);
      }
    });
  }

  write<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    return this.transaction('BEGIN IMMEDIATE', fn);
  }

  read<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    return this.transaction('BEGIN DEFERRED', fn);
  }

  /** One process owns an SQLite file's server: a write transaction is exclusive enough. */
  setup<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    return this.write(fn);
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.sql.get('SELECT 1 AS ok')) !== undefined;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
