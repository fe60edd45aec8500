/**
 * The embedded database: one better-sqlite3 connection in WAL mode. better-sqlite3 is
 * synchronous, so a transaction never interleaves with other work of this process: a write
 * and the fan-out that follows its commit, or a replay read and the subscription that
 * follows it, happen without anything in between.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SCHEMA, SCHEMA_VERSION } from './schema.js';

export interface StoreOptions {
  /** How long a write waits for another process's lock before SQLITE_BUSY. */
  busyTimeoutMs?: number;
}

export interface ConsultantRow {
  id: string;
  name: string;
  timezone: string;
  currency: string;
  locale: string;
  description: string;
}

export class Store {
  readonly db: Database.Database;
  private readonly consultantStmt: Database.Statement<[string], ConsultantRow>;
  private readonly consultantsStmt: Database.Statement<[], ConsultantRow>;

  constructor(path: string, options: StoreOptions = {}) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    // WAL lets readers (other processes, backups) run beside the writer; NORMAL sync is
    // crash-safe in WAL mode and keeps commits cheap enough for bursts of events.
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    this.db.pragma('foreign_keys = ON');
    this.migrate();
    this.consultantStmt = this.db.prepare('SELECT * FROM consultants WHERE id = ?');
    this.consultantsStmt = this.db.prepare('SELECT * FROM consultants ORDER BY rowid');
  }

  private migrate(): void {
    this.db.exec(SCHEMA);
    this.db
      .prepare("INSERT INTO meta (key, value) VALUES ('schema_version', ?) ON CONFLICT (key) DO NOTHING")
      .run(String(SCHEMA_VERSION));
  }

  /**
   * Runs `fn` in a write transaction. BEGIN IMMEDIATE takes the write lock first, so a busy
   * database fails before anything is written, and the whole write rolls back on any throw.
   */
  write<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /** Runs `fn` in a read transaction: every query in it sees the same committed state. */
  read<T>(fn: () => T): T {
    return this.db.transaction(fn).deferred();
  }

  consultant(id: string): ConsultantRow | undefined {
    return this.consultantStmt.get(id);
  }

  consultants(): ConsultantRow[] {
    return this.consultantsStmt.all();
  }

  getMeta(key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as
      { value: string } | undefined;
    return row?.value;
  }

  setMeta(key: string, value: string): void {
    this.db
      .prepare(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      )
      .run(key, value);
  }

  /** True when the database answers a query. */
  ping(): boolean {
    try {
      return this.db.prepare('SELECT 1 AS ok').get() !== undefined;
    } catch {
      return false;
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
