/**
 * PostgreSQL behind the storage interface, for running several nodes on one database.
 *
 * - Writes are READ COMMITTED transactions that begin by locking the consultant's
 *   `event_logs` row (`EventLog.lock`), so writers for one consultant take turns across
 *   nodes and seqs have no gaps. Reads are REPEATABLE READ, so a snapshot matches its seq.
 * - A statement waits at most `busyTimeoutMs` for a lock (another node's writer, a
 *   `LOCK TABLE`, a migration) and runs at most `statementTimeoutMs`. Past either, PostgreSQL
 *   cancels it and rolls its transaction back, and the caller gets busy (503, `Retry-After`)
 *   with nothing written. So a lock held elsewhere never keeps the pool's connections, and
 *   health checks and whatever does not need what is locked go on meanwhile.
 * - `notify` queues `pg_notify` in the writer's transaction: the pointer goes out at commit,
 *   never for a rolled-back write. Every node LISTENs on one dedicated connection.
 * - When that connection drops, the node reconnects at once and, once listening again,
 *   reports `up` so followed logs are read again (signals sent meanwhile are lost). If the
 *   database stays unreachable past a grace period, the node reports `down`. The connection
 *   is checked every `leaderCheckMs`: one that stops answering counts as dropped.
 * - The scheduler's leader holds a session-level advisory lock on its own connection. The
 *   lock goes when that session ends (the node died, or lost the database); the other nodes
 *   try for it every `leaderCheckMs` and one of them takes over.
 */
import pg from 'pg';
import { ErrorCode } from '@fg/protocol';
import { AppError, busy, stopping } from '../errors.js';
import { SCHEMA_VERSION } from './schema.js';
import { SCHEMA_POSTGRES } from './schema-postgres.js';
import type { Cluster, Dialect, LogSignal, Sql, SqlValue, Storage } from './storage.js';

export interface PostgresOptions {
  /** This node's name in `pg_stat_activity` (the listener and leader sessions add a suffix). */
  nodeName?: string;
  /** How often a node that is not the leader tries for the lead. Default 2000 ms. */
  leaderCheckMs?: number;
  /** How long a lost connection may take to come back before the node reports `down`. Default 3000 ms. */
  graceMs?: number;
  /** Connections in the pool. Default 10. */
  poolSize?: number;
  /** How long a statement waits for a lock before it fails busy (PostgreSQL `lock_timeout`). Default 5000 ms. */
  busyTimeoutMs?: number;
  /** How long a statement may run, waits included, before it fails busy (`statement_timeout`); 0 for no limit. Default 30000 ms. */
  statementTimeoutMs?: number;
}

const DIALECT: Dialect = { name: 'postgres', forUpdate: ' FOR UPDATE', insertionOrder: 'n' };

/** The channel every node listens on. */
export const CHANNEL = 'fg_log';
/** Advisory lock keys: schema and seeding; the scheduler's leadership. */
const SETUP_LOCK = 4_604_221_001;
const LEADER_LOCK = 4_604_221_002;

/**
 * Setup waits for another node's setup however long it takes, and seeding may run long: the
 * bounds on locks and statements are lifted for its transaction.
 */
const BEGIN_UNBOUNDED = 'BEGIN; SET LOCAL lock_timeout = 0; SET LOCAL statement_timeout = 0';

/** BIGINT and NUMERIC come back as numbers: every value here (ms, minor units, counts) fits. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** SQLSTATE classes and codes that mean "the database is not there", not "your SQL is wrong". */
function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    // Connection, authorization (a login refused), operator intervention, resources.
    if (/^(08|28|57P|53)/.test(code)) return true;
    if (/^E[A-Z]+$/.test(code)) return true; // ECONNREFUSED, ECONNRESET, ETIMEDOUT, ...
  }
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|not queryable|ECONNREFUSED/i.test(
    message,
  );
}

/**
 * Serialization failures, deadlocks, a lock not granted within `lock_timeout` and a statement
 * cancelled by `statement_timeout`: each rolls the transaction back, so nothing was written,
 * and the connection stays usable.
 */
const BUSY_CODES = new Set(['40001', '40P01', '55P03', '57014']);

function translate(error: unknown): unknown {
  if (error instanceof AppError) return error;
  if (isConnectionError(error)) {
    const unreachable = busy('The database is not reachable; nothing was written. Retry shortly.');
    unreachable.cause = error;
    return unreachable;
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && BUSY_CODES.has(code)) return busy();
  return error;
}

/** A connection that failed, as the driver reported it or as the busy answer made of it. */
const isBrokenConnection = (error: unknown): boolean =>
  isConnectionError(error) || (error instanceof AppError && isConnectionError(error.cause));

/** How long a stopping node tries to cancel its statements' lock waits. */
const STOP_CANCEL_TIMEOUT_MS = 2000;

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

/**
 * How long a connection stays idle before TCP keepalive probes it. The operating system's
 * default is two hours, longer than a NAT or load balancer between node and database keeps
 * an idle flow; probing sooner keeps the flow open, and finds a dead one sooner.
 */
const KEEPALIVE_DELAY_MS = 10_000;

/**
 * How many check intervals the listening connection has to answer `SELECT 1` (10 s by
 * default). A busy database may be slow to answer; taking it for lost would listen again and
 * read every followed log again, more load on the database that is already slow.
 */
const LISTENER_ANSWER_CHECKS = 5;

export class PostgresStorage implements Storage, Cluster {
  readonly dialect = DIALECT;
  readonly sql: Sql;
  private readonly pool: pg.Pool;
  private readonly statements = new Map<string, { name: string; text: string }>();
  private readonly nodeName: string;
  private readonly leaderCheckMs: number;
  private readonly graceMs: number;
  private closing = false;
  /** The server process of each connection in the pool (`pg_backend_pid()`). */
  private readonly backends = new Map<pg.PoolClient, number>();
  /** Set when the server stops (see `stopWaiting`); the cancelling it started. */
  private stopping: Promise<void> | undefined;

  private listener: pg.Client | undefined;
  private listening = false;
  /** The next check of the listening connection (see `watch`). */
  private listenerCheck: NodeJS.Timeout | undefined;
  private reconnecting: Promise<void> | undefined;
  private graceTimer: NodeJS.Timeout | undefined;
  private reportedDown = false;
  private readonly signalListeners: ((signal: LogSignal) => void)[] = [];
  private readonly connectionListeners: ((up: boolean) => void)[] = [];

  private leaderClient: pg.Client | undefined;
  private wake: (() => void) | undefined;

  private constructor(
    private readonly url: string,
    options: PostgresOptions,
  ) {
    this.nodeName = (options.nodeName || `fg-${process.pid}`).slice(0, 50);
    this.leaderCheckMs = options.leaderCheckMs ?? 2000;
    this.graceMs = options.graceMs ?? 3000;
    // 0 would mean no limit to PostgreSQL; here, as on SQLite, it means not waiting at all.
    const lockTimeoutMs = Math.max(1, Math.floor(options.busyTimeoutMs ?? 5000));
    const statementTimeoutMs = Math.max(0, Math.floor(options.statementTimeoutMs ?? 30_000));
    this.pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      application_name: this.nodeName,
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30_000,
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
      types,
    });
    // An idle connection that breaks is dropped by the pool; the next query opens another.
    this.pool.on('error', (error) => console.error('database connection lost:', error.message));
    // Set on each new connection, before its first query runs. A session setting rather than
    // startup parameters, which poolers such as PgBouncer refuse.
    // The server process behind it is noted, for `stopWaiting`.
    const setup = `SET lock_timeout = ${lockTimeoutMs}; SET statement_timeout = ${statementTimeoutMs}; SELECT pg_backend_pid() AS pid`;
    this.pool.on('connect', (client) => {
      client
        .query(setup)
        .then((results) => {
          // Three statements: three results, the process id in the last.
          const last = ([] as pg.QueryResult<{ pid: number }>[]).concat(results).at(-1);
          const pid = last?.rows[0]?.pid;
          if (pid !== undefined) this.backends.set(client, pid);
        })
        .catch(() => undefined);
    });
    this.pool.on('remove', (client) => this.backends.delete(client));
    this.sql = this.runner((config) => this.pool.query(config));
  }

  /** Connects, creates the schema if needed and starts listening. */
  static async open(url: string, options: PostgresOptions = {}): Promise<PostgresStorage> {
    const storage = new PostgresStorage(url, options);
    try {
      await storage.setup(async (tx) => {
        await tx.run(SCHEMA_POSTGRES);
        await tx.run(
          "INSERT INTO meta (key, value) VALUES ('schema_version', ?) ON CONFLICT (key) DO NOTHING",
          [String(SCHEMA_VERSION)],
        );
      });
      await storage.listen();
    } catch (error) {
      await storage.close();
      throw error;
    }
    return storage;
  }

  get cluster(): Cluster {
    return this;
  }

  get connected(): boolean {
    return this.listening;
  }

  /** `?` placeholders become `$1, $2, ...`; each statement is prepared once per connection. */
  private statement(sql: string, params: readonly SqlValue[]): pg.QueryConfig {
    let known = this.statements.get(sql);
    if (!known) {
      let n = 0;
      known = { name: `fg_${this.statements.size}`, text: sql.replace(/\?/g, () => `$${++n}`) };
      this.statements.set(sql, known);
    }
    // Statements without parameters (transaction control, the schema) are not prepared.
    return params.length > 0
      ? { name: known.name, text: known.text, values: params as SqlValue[] }
      : { text: known.text };
  }

  private runner(query: (config: pg.QueryConfig) => Promise<pg.QueryResult>): Sql {
    const exec = async (sql: string, params: readonly SqlValue[] = []): Promise<pg.QueryResult> => {
      try {
        return await query(this.statement(sql, params));
      } catch (error) {
        throw translate(error);
      }
    };
    return {
      get: async <T>(sql: string, params?: readonly SqlValue[]) =>
        (await exec(sql, params)).rows[0] as T | undefined,
      all: async <T>(sql: string, params?: readonly SqlValue[]) => (await exec(sql, params)).rows as T[],
      run: async (sql: string, params?: readonly SqlValue[]) => (await exec(sql, params)).rowCount ?? 0,
    };
  }

  private async transaction<T>(begin: string, fn: (tx: Sql) => Promise<T>, lockKey?: number): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw translate(error);
    }
    let broken: unknown;
    try {
      let begun = false;
      let hurried = false;
      const tx = this.runner(async (config) => {
        // Once the server stops, no statement here waits for a lock (see `stopWaiting`).
        if (begun && this.stopping && !hurried) {
          hurried = true;
          await client.query('SET LOCAL lock_timeout = 1');
        }
        return client.query(config);
      });
      await tx.run(begin);
      begun = true;
      try {
        if (lockKey !== undefined) await tx.get('SELECT pg_advisory_xact_lock(?)', [lockKey]);
        const result = await fn(tx);
        // A failed COMMIT (the connection broke) throws: the write is never acknowledged.
        await tx.run('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((failure: unknown) => (broken = failure ?? true));
        throw error;
      }
    } catch (error) {
      if (isBrokenConnection(error)) broken ??= error;
      const answer = translate(error);
      throw this.stopping && answer instanceof AppError && answer.code === ErrorCode.busy && !broken
        ? stopping()
        : answer;
    } finally {
      // A connection that failed, or could not roll back, is closed rather than reused. One
      // whose statement timed out has rolled back and serves the next transaction.
      client.release(broken instanceof Error ? broken : broken ? true : undefined);
    }
  }

  write<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    return this.transaction('BEGIN', fn);
  }

  read<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    return this.transaction('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', fn);
  }

  /** One node at a time: the schema, seeding and per-consultant state under an advisory lock. */
  setup<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    return this.transaction(BEGIN_UNBOUNDED, fn, SETUP_LOCK);
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.sql.get('SELECT 1 AS ok')) !== undefined;
    } catch {
      return false;
    }
  }

  // ---- signals ----

  async notify(tx: Sql, signal: LogSignal): Promise<void> {
    const payload = JSON.stringify({
      c: signal.consultantId,
      e: signal.epoch,
      s: signal.seq,
      k: signal.kind,
    });
    await tx.get('SELECT pg_notify(?, ?)', [CHANNEL, payload]);
  }

  onSignal(listener: (signal: LogSignal) => void): void {
    this.signalListeners.push(listener);
  }

  onConnection(listener: (up: boolean) => void): void {
    this.connectionListeners.push(listener);
  }

  private emitConnection(up: boolean): void {
    for (const listener of this.connectionListeners) {
      try {
        listener(up);
      } catch (error) {
        console.error('connection listener failed', error);
      }
    }
  }

  private received(payload: string | undefined): void {
    let signal: LogSignal;
    try {
      const raw = JSON.parse(payload ?? '') as { c: string; e: string; s: number; k: LogSignal['kind'] };
      signal = { consultantId: raw.c, epoch: raw.e, seq: raw.s, kind: raw.k };
    } catch {
      console.error('unreadable notification', payload);
      return;
    }
    for (const listener of this.signalListeners) {
      try {
        listener(signal);
      } catch (error) {
        console.error('signal listener failed', error);
      }
    }
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.url,
      application_name: `${this.nodeName}-listen`,
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
      connectionTimeoutMillis: 5000,
      types,
    });
    const lost = (): void => this.lost(client);
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (message) => {
      if (message.channel === CHANNEL) this.received(message.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      client.removeListener('end', lost);
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closing) {
      await client.end().catch(() => undefined);
      return;
    }
    this.listener = client;
    this.listening = true;
    this.watch(client);
  }

  /**
   * Checks the listening connection every `leaderCheckMs`, as the leader checks its own. A
   * flow dropped silently on the way (a NAT or load balancer timing out an idle connection)
   * reports no error and no end: notifications just stop coming, and this node's clients
   * would miss every event committed on another node until TCP keepalive gives up. A check
   * that fails, or is not answered within `LISTENER_ANSWER_CHECKS` intervals, counts as the
   * connection lost.
   */
  private watch(client: pg.Client): void {
    const check = async (): Promise<void> => {
      if (this.listener !== client || this.closing) return;
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          client.query('SELECT 1'),
          new Promise((_, reject) => {
            timer = setTimeout(
              () => reject(new Error('no answer')),
              LISTENER_ANSWER_CHECKS * this.leaderCheckMs,
            );
          }),
        ]);
      } catch {
        this.lost(client);
        return;
      } finally {
        clearTimeout(timer);
      }
      schedule();
    };
    const schedule = (): void => {
      if (this.listener !== client || this.closing) return;
      this.listenerCheck = setTimeout(() => void check(), this.leaderCheckMs);
      this.listenerCheck.unref();
    };
    schedule();
  }

  /** The listening connection broke: reconnect, and report `down` if that takes too long. */
  private lost(client: pg.Client): void {
    if (this.listener !== client || this.closing) return;
    this.listener = undefined;
    this.listening = false;
    client.end().catch(() => undefined);
    console.error(`${this.nodeName}: database connection lost; reconnecting`);
    this.graceTimer ??= setTimeout(() => {
      this.graceTimer = undefined;
      if (this.listening || this.closing) return;
      this.reportedDown = true;
      this.emitConnection(false);
    }, this.graceMs);
    this.graceTimer.unref();
    this.reconnecting ??= this.reconnect().finally(() => (this.reconnecting = undefined));
  }

  private async reconnect(): Promise<void> {
    let wait = 100;
    while (!this.closing) {
      try {
        await this.listen();
        if (this.closing) return;
        clearTimeout(this.graceTimer);
        this.graceTimer = undefined;
        if (this.reportedDown) console.error(`${this.nodeName}: database connection back`);
        this.reportedDown = false;
        // Listening again: whatever was signalled meanwhile is read from the logs.
        this.emitConnection(true);
        return;
      } catch {
        await delay(wait);
        wait = Math.min(wait * 2, 2000);
      }
    }
  }

  // ---- leadership ----

  lead(change: (leader: boolean) => void): Promise<void> {
    return new Promise((decided) => void this.campaign(change, decided));
  }

  /** Sleeps up to `ms`, or until `close` wakes it. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async campaign(change: (leader: boolean) => void, decided: () => void): Promise<void> {
    while (!this.closing) {
      const client = new pg.Client({
        connectionString: this.url,
        application_name: `${this.nodeName}-lead`,
        keepAlive: true,
        keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
        connectionTimeoutMillis: 5000,
      });
      let ended = false;
      let leading = false;
      const gone = new Promise<void>((resolve) => {
        client.on('error', () => {
          ended = true;
          resolve();
        });
        client.on('end', () => {
          ended = true;
          resolve();
        });
      });
      try {
        await client.connect();
        this.leaderClient = client;
        // Not the leader: try again now and then, while the session lasts.
        while (!this.closing && !ended) {
          const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [
            LEADER_LOCK,
          ]);
          if (rows[0]?.ok) break;
          decided();
          await this.pause(this.leaderCheckMs);
        }
        if (!this.closing && !ended) {
          leading = true;
          change(true);
          decided();
          // The leader: until its session ends. It checks the session now and then, so a
          // connection that died silently is noticed.
          while (!this.closing && !ended) {
            await Promise.race([gone, this.pause(this.leaderCheckMs)]);
            if (!this.closing && !ended) await client.query('SELECT 1');
          }
        }
      } catch {
        // The session failed: the lock, if held, went with it.
        decided();
      } finally {
        if (leading && !this.closing) change(false);
        this.leaderClient = undefined;
        await client.end().catch(() => undefined);
      }
      if (!this.closing) await this.pause(Math.min(this.leaderCheckMs, 1000));
    }
  }

  /**
   * This node's statements (its pool's) that wait for a table or row lock are cancelled (57014):
   * each rolls back and fails busy while its caller can still be answered. Advisory locks (who
   * leads, who sets up) are waits of the node itself, and are left. From now on a transaction's
   * next statement waits for no lock either (`lock_timeout` 1 ms): one waiting for a
   * connection, or between two statements, as this runs.
   */
  stopWaiting(): void {
    this.stopping ??= (async () => {
      // Not from the pool: every one of its connections may be waiting.
      // Bounded: a database that does not answer must not keep the server from stopping.
      const client = new pg.Client({
        connectionString: this.url,
        application_name: `${this.nodeName}:stop`,
        connectionTimeoutMillis: STOP_CANCEL_TIMEOUT_MS,
        query_timeout: STOP_CANCEL_TIMEOUT_MS,
      });
      try {
        await client.connect();
        // By process id, not by name: nodes may share a name (the default's pid, in containers).
        await client.query(
          "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE pid = ANY($1::int[]) AND wait_event_type = 'Lock' AND wait_event <> 'advisory'",
          [[...this.backends.values()]],
        );
      } catch (error) {
        console.error('could not cancel the statements waiting for a lock:', (error as Error).message);
      } finally {
        await client.end().catch(() => undefined);
      }
    })();
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await this.stopping;
    clearTimeout(this.graceTimer);
    clearTimeout(this.listenerCheck);
    this.wake?.();
    await Promise.all([
      this.listener?.end().catch(() => undefined),
      this.leaderClient?.end().catch(() => undefined),
      this.reconnecting,
    ]);
    await this.pool.end().catch(() => undefined);
  }
}
