/**
 * Each consultant's event log, the transactional outbox. `append` runs inside the caller's
 * write transaction, so an event exists exactly when its change does. Events are stored
 * with their patch already serialised; a frame's JSON is assembled from those strings,
 * never re-serialised per connection.
 */
import type Database from 'better-sqlite3';
import type { Cursor, EventKind, Patch, Subject } from '@fg/protocol';
import { newEpoch } from '../ids.js';
import type { Store } from './store.js';

export interface Retention {
  /** Events kept per consultant. */
  events: number;
  /** Age in ms beyond which an event is no longer replayed. */
  ms: number;
}

/** A committed event, ready to send: `json` is the whole `event` frame. */
export interface OutEvent {
  readonly consultantId: string;
  readonly epoch: string;
  readonly seq: number;
  readonly at: number;
  readonly kind: EventKind;
  readonly json: string;
  /** `performance.now()` right after the commit, for the commit-to-send histogram. */
  committedAt: number;
}

export interface LogHead {
  epoch: string;
  seq: number;
}

interface EventRow {
  seq: number;
  epoch: string;
  at: number;
  kind: EventKind;
  subject: string;
  patch: string;
}

/** What a cursor resumes to: the events after it, or a snapshot when that is impossible. */
export type ResumePlan =
  { kind: 'replay'; head: LogHead; events: OutEvent[] } | { kind: 'snapshot'; head: LogHead };

export function eventJson(epoch: string, row: Omit<EventRow, 'epoch'>): string {
  return (
    `{"type":"event","epoch":${JSON.stringify(epoch)},"seq":${row.seq},"at":${row.at},` +
    `"kind":${JSON.stringify(row.kind)},"subject":${row.subject},"patch":${row.patch}}`
  );
}

export class EventLog {
  private readonly stmts: {
    head: Database.Statement<[string], LogHead>;
    create: Database.Statement<[string, string]>;
    bump: Database.Statement<[string], LogHead>;
    insert: Database.Statement<[string, number, string, number, string, string, string]>;
    pruneUpTo: Database.Statement<[string, number]>;
    after: Database.Statement<[string, number], EventRow>;
    firstFresh: Database.Statement<[string, number], { seq: number }>;
    pruneAllOf: Database.Statement<[string]>;
    logs: Database.Statement<[], { consultant_id: string; last_seq: number }>;
    reset: Database.Statement<[string, string]>;
  };

  constructor(
    store: Store,
    readonly retention: Retention,
  ) {
    const db = store.db;
    this.stmts = {
      head: db.prepare('SELECT epoch, last_seq AS seq FROM event_logs WHERE consultant_id = ?'),
      create: db.prepare(
        'INSERT INTO event_logs (consultant_id, epoch, last_seq) VALUES (?, ?, 0) ON CONFLICT DO NOTHING',
      ),
      bump: db.prepare(
        'UPDATE event_logs SET last_seq = last_seq + 1 WHERE consultant_id = ? RETURNING epoch, last_seq AS seq',
      ),
      insert: db.prepare(
        'INSERT INTO events (consultant_id, seq, epoch, at, kind, subject, patch) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      pruneUpTo: db.prepare('DELETE FROM events WHERE consultant_id = ? AND seq <= ?'),
      after: db.prepare(
        'SELECT seq, epoch, at, kind, subject, patch FROM events WHERE consultant_id = ? AND seq > ? ORDER BY seq',
      ),
      // Events are appended in time order, so the expired ones are a prefix of the log.
      firstFresh: db.prepare(
        'SELECT seq FROM events WHERE consultant_id = ? AND at >= ? ORDER BY seq LIMIT 1',
      ),
      pruneAllOf: db.prepare('DELETE FROM events WHERE consultant_id = ?'),
      logs: db.prepare('SELECT consultant_id, last_seq FROM event_logs'),
      reset: db.prepare('UPDATE event_logs SET epoch = ?, last_seq = 0 WHERE consultant_id = ?'),
    };
  }

  /** Creates the consultant's log if it has none. */
  ensure(consultantId: string): void {
    this.stmts.create.run(consultantId, newEpoch());
  }

  head(consultantId: string): LogHead {
    const head = this.stmts.head.get(consultantId);
    if (!head) throw new Error(`no event log for consultant ${consultantId}`);
    return head;
  }

  /**
   * Appends the next event; call inside a write transaction. Also drops what falls out of
   * the count retention, a cheap range delete on the primary key.
   */
  append(
    consultantId: string,
    event: { at: number; kind: EventKind; subject: Subject; patch: Patch },
  ): OutEvent {
    const head = this.stmts.bump.get(consultantId);
    if (!head) throw new Error(`no event log for consultant ${consultantId}`);
    const subject = JSON.stringify(event.subject);
    const patch = JSON.stringify(event.patch);
    this.stmts.insert.run(consultantId, head.seq, head.epoch, event.at, event.kind, subject, patch);
    if (head.seq > this.retention.events)
      this.stmts.pruneUpTo.run(consultantId, head.seq - this.retention.events);
    return {
      consultantId,
      epoch: head.epoch,
      seq: head.seq,
      at: event.at,
      kind: event.kind,
      json: eventJson(head.epoch, { seq: head.seq, at: event.at, kind: event.kind, subject, patch }),
      committedAt: 0,
    };
  }

  /**
   * What a client at `cursor` needs: every retained event after it, in order, or a snapshot
   * when the cursor is missing, names another log, is ahead of the log, or is older than
   * retention (by count or by age at `now`). Call inside a read transaction.
   */
  plan(consultantId: string, cursor: Cursor | null, now: number): ResumePlan {
    const head = this.head(consultantId);
    if (!cursor || cursor.epoch !== head.epoch || cursor.seq > head.seq) return { kind: 'snapshot', head };
    if (cursor.seq === head.seq) return { kind: 'replay', head, events: [] };
    if (head.seq - cursor.seq > this.retention.events) return { kind: 'snapshot', head };
    const rows = this.stmts.after.all(consultantId, cursor.seq);
    const first = rows[0];
    // A missing first event means it was pruned; an old one is past the age retention even
    // if the periodic prune has not removed it yet. Either way the gap cannot be replayed.
    if (!first || first.seq !== cursor.seq + 1 || first.at < now - this.retention.ms) {
      return { kind: 'snapshot', head };
    }
    return {
      kind: 'replay',
      head,
      events: rows.map((row) => ({
        consultantId,
        epoch: row.epoch,
        seq: row.seq,
        at: row.at,
        kind: row.kind,
        json: eventJson(row.epoch, row),
        committedAt: performance.now(),
      })),
    };
  }

  /** Drops events older than the age retention, for every consultant. */
  pruneExpired(now: number): number {
    const cutoff = now - this.retention.ms;
    let removed = 0;
    for (const log of this.stmts.logs.all()) {
      const fresh = this.stmts.firstFresh.get(log.consultant_id, cutoff);
      const result = fresh
        ? this.stmts.pruneUpTo.run(log.consultant_id, fresh.seq - 1)
        : this.stmts.pruneAllOf.run(log.consultant_id);
      removed += result.changes;
    }
    return removed;
  }

  /** Starts a new log for the consultant: a new epoch, seq back to 0, old events gone. */
  reset(consultantId: string): LogHead {
    const epoch = newEpoch();
    this.stmts.pruneAllOf.run(consultantId);
    this.stmts.reset.run(epoch, consultantId);
    return { epoch, seq: 0 };
  }
}
