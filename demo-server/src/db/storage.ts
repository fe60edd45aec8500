/**
 * The storage interface. Everything the server keeps (the domain rows, each consultant's
 * event log, the calendars) goes through it, and it has two implementations: SQLite, the
 * embedded default (`sqlite.ts`), and PostgreSQL for several nodes (`postgres.ts`). The
 * domain, the projection and the event log are written once, against `Sql`, in the SQL
 * both databases speak; the few phrases that differ are in `Dialect`.
 *
 * The interface is asynchronous because a network database is. SQLite answers at once: its
 * promises resolve with values computed synchronously (unless another process holds its
 * lock: then it waits without blocking the event loop), and its transactions take turns on
 * the one connection, so a transaction never sees another's uncommitted writes.
 */
import type { EventKind } from '@fg/protocol';

export type SqlValue = string | number | null;

/** Runs statements: inside a transaction (the `tx` given to `write`/`read`) or on their own. */
export interface Sql {
  /** The first row, or undefined. Parameters are positional `?`. */
  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** A statement that returns no rows; answers the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
}

/** The phrases that differ between the two databases. */
export interface Dialect {
  readonly name: 'sqlite' | 'postgres';
  /**
   * Appended to a SELECT whose rows stay locked until the transaction ends. SQLite locks
   * the whole database for a write transaction, so it needs nothing.
   */
  readonly forUpdate: string;
  /** A column that orders rows of `consultants` and `messages` by insertion. */
  readonly insertionOrder: string;
}

/**
 * A pointer to a committed event (or a reset log), sent to every node. Nodes read the
 * events themselves from the log, by seq, so a lost pointer costs nothing but a re-read.
 */
export interface LogSignal {
  consultantId: string;
  epoch: string;
  seq: number;
  /** The event's kind, or `reset` when the log was started again. */
  kind: EventKind | 'reset';
}

/** What several nodes sharing one database need from it. */
export interface Cluster {
  /**
   * Sends `signal` to every node (this one included) when `tx` commits, and never when it
   * rolls back.
   */
  notify(tx: Sql, signal: LogSignal): Promise<void>;
  /** Signals from every node, in commit order. */
  onSignal(listener: (signal: LogSignal) => void): void;
  /**
   * Called with false when the node loses its database connection, and with true when it
   * has it back and listens again. Signals sent in between are lost: on `true`, read the
   * logs you follow again from the last seq you delivered.
   */
  onConnection(listener: (up: boolean) => void): void;
  /** True while the notification connection is up and listening. */
  readonly connected: boolean;
  /**
   * Competes for the one leadership (the scheduler's): `change(true)` when this node
   * becomes the leader, `change(false)` when it loses the lead (its database session ended).
   * Exactly one node leads while the database is reachable; when it dies, another takes over.
   * Resolves once the first attempt is decided (this node leads, or another does).
   */
  lead(change: (leader: boolean) => void): Promise<void>;
}

export interface Storage {
  readonly dialect: Dialect;
  /** Statements outside a transaction (each one sees committed data only). */
  readonly sql: Sql;
  /**
   * Runs `fn` in a write transaction: committed when `fn` resolves, rolled back when it
   * throws. A database that is busy or unreachable fails with a 503 `AppError` and nothing
   * is written; a resolved promise means the commit succeeded.
   */
  write<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  /** Runs `fn` in a read transaction: every statement in it sees the same committed state. */
  read<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` in a write transaction that no other node runs at the same time: creating the
   * schema, seeding, adding missing per-consultant state.
   */
  setup<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  /** True when the database answers a query now. */
  ping(): Promise<boolean>;
  /**
   * The server is stopping: what waits for another process's lock fails busy now (nothing
   * written), while its caller can still be answered.
   */
  stopWaiting(): void;
  /** Cross-node coordination, or null when this is the only node (SQLite). */
  readonly cluster: Cluster | null;
  close(): Promise<void>;
}
