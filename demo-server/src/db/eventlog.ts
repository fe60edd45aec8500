/**
 * Each consultant's event log, the transactional outbox. `lock` and `append` run inside the
 * caller's write transaction, so an event exists exactly when its change does, and its seq
 * is the next one with no gap even with writers on several nodes: `lock` takes the
 * consultant's `event_logs` row first (`FOR UPDATE` in PostgreSQL; SQLite's write lock
 * covers the database), so a second writer for the same consultant waits, then sees the
 * first one's commit. Events are stored with their patch already serialised; a frame's
 * JSON is assembled from those strings, never re-serialised per connection.
 */
import type { Cursor, EventKind, Patch, Subject } from '@fg/protocol';
import { newEpoch } from '../ids.js';
import type { Sql, Storage } from './storage.js';

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

export interface EventRow {
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
  private readonly lockSql: string;

  constructor(
    private readonly storage: Storage,
    readonly retention: Retention,
  ) {
    this.lockSql =
      'SELECT epoch, last_seq AS seq FROM event_logs WHERE consultant_id = ?' + storage.dialect.forUpdate;
  }

  /** Creates the consultant's log if it has none. */
  async ensure(tx: Sql, consultantId: string): Promise<void> {
    await tx.run(
      'INSERT INTO event_logs (consultant_id, epoch, last_seq) VALUES (?, ?, 0) ON CONFLICT DO NOTHING',
      [consultantId, newEpoch()],
    );
  }

  async head(q: Sql, consultantId: string): Promise<LogHead> {
    const head = await q.get<LogHead>(
      'SELECT epoch, last_seq AS seq FROM event_logs WHERE consultant_id = ?',
      [consultantId],
    );
    if (!head) throw new Error(`no event log for consultant ${consultantId}`);
    return head;
  }

  /**
   * Takes the consultant's log for the rest of the write transaction; call it first, before
   * reading anything the event's patch is computed from. Answers the head.
   */
  async lock(tx: Sql, consultantId: string): Promise<LogHead> {
    const head = await tx.get<LogHead>(this.lockSql, [consultantId]);
    if (!head) throw new Error(`no event log for consultant ${consultantId}`);
    return head;
  }

  /**
   * Appends the next event; call inside a write transaction, after `lock`. Also drops what
   * falls out of the count retention, a cheap range delete on the primary key, and tells the
   * other nodes (when there are any) once the transaction commits.
   */
  async append(
    tx: Sql,
    consultantId: string,
    event: { at: number; kind: EventKind; subject: Subject; patch: Patch },
  ): Promise<OutEvent> {
    const head = await tx.get<LogHead>(
      'UPDATE event_logs SET last_seq = last_seq + 1 WHERE consultant_id = ? RETURNING epoch, last_seq AS seq',
      [consultantId],
    );
    if (!head) throw new Error(`no event log for consultant ${consultantId}`);
    const subject = JSON.stringify(event.subject);
    const patch = JSON.stringify(event.patch);
    await tx.run(
      'INSERT INTO events (consultant_id, seq, epoch, at, kind, subject, patch) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [consultantId, head.seq, head.epoch, event.at, event.kind, subject, patch],
    );
    if (head.seq > this.retention.events) {
      await tx.run('DELETE FROM events WHERE consultant_id = ? AND seq <= ?', [
        consultantId,
        head.seq - this.retention.events,
      ]);
    }
    await this.storage.cluster?.notify(tx, {
      consultantId,
      epoch: head.epoch,
      seq: head.seq,
      kind: event.kind,
    });
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

  /** The retained events after `seq`, in order, as frames. */
  async after(q: Sql, consultantId: string, seq: number): Promise<OutEvent[]> {
    const rows = await q.all<EventRow>(
      'SELECT seq, epoch, at, kind, subject, patch FROM events WHERE consultant_id = ? AND seq > ? ORDER BY seq',
      [consultantId, seq],
    );
    const readAt = performance.now();
    return rows.map((row) => ({
      consultantId,
      epoch: row.epoch,
      seq: row.seq,
      at: row.at,
      kind: row.kind,
      json: eventJson(row.epoch, row),
      committedAt: readAt,
    }));
  }

  /**
   * What a client at `cursor` needs: every retained event after it, in order, or a snapshot
   * when the cursor is missing, names another log, is ahead of the log, or is older than
   * retention (by count or by age at `now`). Call inside a read transaction.
   */
  async plan(tx: Sql, consultantId: string, cursor: Cursor | null, now: number): Promise<ResumePlan> {
    const head = await this.head(tx, consultantId);
    if (!cursor || cursor.epoch !== head.epoch || cursor.seq > head.seq) return { kind: 'snapshot', head };
    if (cursor.seq === head.seq) return { kind: 'replay', head, events: [] };
    if (head.seq - cursor.seq > this.retention.events) return { kind: 'snapshot', head };
    const events = await this.after(tx, consultantId, cursor.seq);
    const first = events[0];
    // A missing first event means it was pruned; an old one is past the age retention even
    // if the periodic prune has not removed it yet. Either way the gap cannot be replayed.
    if (!first || first.seq !== cursor.seq + 1 || first.at < now - this.retention.ms) {
      return { kind: 'snapshot', head };
    }
    return { kind: 'replay', head, events };
  }

  /** Drops events older than the age retention, for every consultant. */
  async pruneExpired(now: number): Promise<number> {
    const cutoff = now - this.retention.ms;
    return this.storage.write(async (tx) => {
      const logs = await tx.all<{ consultant_id: string }>(
        'SELECT DISTINCT consultant_id FROM events WHERE at < ?',
        [cutoff],
      );
      let removed = 0;
      for (const { consultant_id: id } of logs) {
        // Events are appended in time order, so the expired ones are a prefix of the log.
        const fresh = await tx.get<{ seq: number }>(
          'SELECT seq FROM events WHERE consultant_id = ? AND at >= ? ORDER BY seq LIMIT 1',
          [id, cutoff],
        );
        // None fresh: the expired ones only, not an event another connection commits meanwhile.
        removed += fresh
          ? await tx.run('DELETE FROM events WHERE consultant_id = ? AND seq < ?', [id, fresh.seq])
          : await tx.run('DELETE FROM events WHERE consultant_id = ? AND at < ?', [id, cutoff]);
      }
      return removed;
    });
  }

  /**
   * Starts a new log for the consultant: a new epoch, seq back to 0, old events gone. Call
   * inside a write transaction, after `lock`.
   */
  async reset(tx: Sql, consultantId: string): Promise<LogHead> {
    const epoch = newEpoch();
    await tx.run('DELETE FROM events WHERE consultant_id = ?', [consultantId]);
    await tx.run('UPDATE event_logs SET epoch = ?, last_seq = 0 WHERE consultant_id = ?', [
      epoch,
      consultantId,
    ]);
    await this.storage.cluster?.notify(tx, { consultantId, epoch, seq: 0, kind: 'reset' });
    return { epoch, seq: 0 };
  }
}
