/**
 * Every change to a dashboard goes through `Domain.commit`: the domain write, the
 * recomputation of the sections it touched, and the event carrying them are ONE
 * transaction (the transactional outbox). Only after the commit are listeners told, so a
 * connection never sees an event that did not happen, and a refused or failed write (a
 * thrown error, a busy database) leaves neither the change nor its event behind.
 */
import type Database from 'better-sqlite3';
import type { EventKind, Subject } from '@fg/protocol';
import type { Clock } from './clock.js';
import type { EventLog, LogHead, OutEvent } from './db/eventlog.js';
import type { ConsultantRow, Store } from './db/store.js';
import { busy, isBusyError, notFound } from './errors.js';
import { newId } from './ids.js';
import type { Projection, Section } from './projection.js';
import { addDays, localDate, startOfLocalDay } from './time.js';

export interface Change {
  kind: EventKind;
  subject: Subject;
  sections: readonly Section[];
}

export interface WriteContext {
  consultant: ConsultantRow;
  now: number;
  /** The consultant's current local day, as the dashboard knows it. */
  today: string;
}

export type CommitListener = (event: OutEvent) => void;

export interface ConsultationRow {
  id: string;
  consultant_id: string;
  family_id: string;
  title: string;
  starts_at: number;
  ends_at: number;
  status: 'scheduled' | 'active' | 'completed' | 'cancelled';
}

const FAMILY_NAMES = [
  'The Nguyen family',
  'The Haddad family',
  'The Kowalski family',
  'The Mensah family',
  'The Rossi family',
  'The Tanaka family',
  'The Dubois family',
  'The Silva family',
];

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

export class Domain {
  private readonly listeners: CommitListener[] = [];
  private readonly q: ReturnType<typeof prepare>;

  constructor(
    private readonly store: Store,
    private readonly log: EventLog,
    private readonly projection: Projection,
    private readonly clock: Clock,
  ) {
    this.q = prepare(store.db);
  }

  /** Called after every commit that appended an event, in commit order. */
  onCommit(listener: CommitListener): void {
    this.listeners.push(listener);
  }

  consultant(consultantId: string): ConsultantRow {
    const consultant = this.store.consultant(consultantId);
    if (!consultant) throw notFound(`No consultant ${consultantId}`);
    return consultant;
  }

  /**
   * Runs `change` and appends its event in one write transaction. `change` returns null
   * when nothing on the dashboard changed; then no event is appended.
   */
  commit(consultantId: string, change: (ctx: WriteContext) => Change | null): OutEvent | null {
    const consultant = this.consultant(consultantId);
    let event: OutEvent | null;
    try {
      event = this.store.write(() => {
        const now = this.clock.now();
        const result = change({ consultant, now, today: this.projection.today(consultantId) });
        if (!result) return null;
        const patch = this.projection.sections(consultant, result.sections);
        return this.log.append(consultantId, { at: now, kind: result.kind, subject: result.subject, patch });
      });
    } catch (error) {
      if (isBusyError(error)) throw busy();
      throw error;
    }
    if (event) {
      event.committedAt = performance.now();
      for (const listener of this.listeners) {
        try {
          listener(event);
        } catch (error) {
          // The event is committed and will reach clients by resume; never fail the write.
          console.error('commit listener failed', error);
        }
      }
    }
    return event;
  }

  /** A change that must append an event (every simulated action does). */
  private must(consultantId: string, change: (ctx: WriteContext) => Change): OutEvent {
    return this.commit(consultantId, change)!;
  }

  // ---- families ----

  /**
   * The family a visitor names: one of the consultant's client families with that name
   * (case-insensitive), else a new family record. Naming a family never makes it a client;
   * only `associateFamily` does, so family-client counts move only with their own event.
   */
  private familyFor(consultantId: string, name: string | undefined): { id: string; name: string } {
    if (name) {
      const existing = this.q.clientFamilyByName.get(consultantId, name);
      if (existing) return existing;
    } else {
      const any = this.q.randomClientFamily.get(consultantId);
      if (any) return any;
    }
    const family = { id: newId('f'), name: name ?? pick(FAMILY_NAMES) };
    this.q.insertFamily.run(family.id, family.name);
    return family;
  }

  associateFamily(consultantId: string, familyName?: string): OutEvent {
    return this.must(consultantId, ({ now }) => {
      const family = { id: newId('f'), name: familyName ?? pick(FAMILY_NAMES) };
      this.q.insertFamily.run(family.id, family.name);
      this.q.associate.run(consultantId, family.id, now);
      return { kind: 'family.associated', subject: { type: 'family', id: family.id }, sections: ['counts'] };
    });
  }

  dissociateFamily(consultantId: string, familyId?: string): OutEvent {
    return this.must(consultantId, () => {
      const id = familyId ?? this.q.latestClientFamily.get(consultantId)?.id;
      if (!id || this.q.dissociate.run(consultantId, id).changes === 0) {
        throw notFound(familyId ? `No client family ${familyId}` : 'The consultant has no client families');
      }
      return { kind: 'family.dissociated', subject: { type: 'family', id }, sections: ['counts'] };
    });
  }

  // ---- consultations ----

  book(
    consultantId: string,
    options: { startsInSeconds?: number; durationMinutes?: number; familyName?: string; title?: string },
  ): OutEvent {
    return this.must(consultantId, ({ now }) => {
      const family = this.familyFor(consultantId, options.familyName);
      const startsAt = now + (options.startsInSeconds ?? 3600) * 1000;
      const endsAt = startsAt + (options.durationMinutes ?? 50) * 60_000;
      const id = newId('k');
      this.q.insertConsultation.run({
        id,
        consultant: consultantId,
        family: family.id,
        title: options.title ?? 'Consultation',
        startsAt,
        endsAt,
        status: 'scheduled',
        now,
      });
      return {
        kind: 'consultation.booked',
        subject: { type: 'consultation', id },
        sections: ['counts', 'upcoming'],
      };
    });
  }

  private consultation(
    consultantId: string,
    id: string | undefined,
    allowed: readonly ConsultationRow['status'][],
    fallback: () => ConsultationRow | undefined,
    describe: string,
  ): ConsultationRow {
    const row = id ? this.q.consultationById.get(id, consultantId) : fallback();
    if (!row || !allowed.includes(row.status)) {
      throw notFound(id ? `No ${describe} consultation ${id}` : `No ${describe} consultation`);
    }
    return row;
  }

  /** Starts a consultation: by hand (simulate) or by the scheduler at its start time. */
  startConsultation(consultantId: string, consultationId?: string): OutEvent {
    return this.must(consultantId, () => {
      const row = this.consultation(
        consultantId,
        consultationId,
        ['scheduled'],
        () => this.q.firstWithStatus.get(consultantId, 'scheduled'),
        'scheduled',
      );
      this.q.setStatus.run('active', row.id);
      return {
        kind: 'consultation.started',
        subject: { type: 'consultation', id: row.id },
        sections: ['counts', 'upcoming'],
      };
    });
  }

  completeConsultation(consultantId: string, consultationId?: string): OutEvent {
    return this.must(consultantId, () => {
      const row = this.consultation(
        consultantId,
        consultationId,
        ['scheduled', 'active'],
        () => this.q.firstWithStatus.get(consultantId, 'active'),
        'active',
      );
      this.q.setStatus.run('completed', row.id);
      return {
        kind: 'consultation.completed',
        subject: { type: 'consultation', id: row.id },
        sections: ['counts', 'upcoming'],
      };
    });
  }

  cancelConsultation(consultantId: string, consultationId?: string): OutEvent {
    return this.must(consultantId, () => {
      const row = this.consultation(
        consultantId,
        consultationId,
        ['scheduled', 'active'],
        () => this.q.firstWithStatus.get(consultantId, 'scheduled'),
        'scheduled',
      );
      this.q.setStatus.run('cancelled', row.id);
      return {
        kind: 'consultation.cancelled',
        subject: { type: 'consultation', id: row.id },
        sections: ['counts', 'upcoming'],
      };
    });
  }

  rescheduleConsultation(consultantId: string, consultationId?: string, startsInSeconds?: number): OutEvent {
    return this.must(consultantId, ({ now }) => {
      const row = this.consultation(
        consultantId,
        consultationId,
        ['scheduled'],
        () => this.q.firstWithStatus.get(consultantId, 'scheduled'),
        'scheduled',
      );
      const startsAt = now + (startsInSeconds ?? 24 * 3600) * 1000;
      this.q.setTimes.run(startsAt, startsAt + (row.ends_at - row.starts_at), row.id);
      return {
        kind: 'consultation.rescheduled',
        subject: { type: 'consultation', id: row.id },
        sections: ['upcoming'],
      };
    });
  }

  // ---- messages ----

  receiveMessage(consultantId: string, options: { familyName?: string; text?: string }): OutEvent {
    return this.must(consultantId, ({ now }) => {
      const family = this.familyFor(consultantId, options.familyName);
      const id = newId('m');
      this.q.insertMessage.run(
        id,
        consultantId,
        family.id,
        options.text ?? 'Hello! Could we talk this week?',
        now,
      );
      return {
        kind: 'message.received',
        subject: { type: 'message', id },
        sections: ['counts', 'recentMessages'],
      };
    });
  }

  /**
   * Marks a message read. Another consultant's message does not exist for the caller (404,
   * nothing changes); an already read message answers without a new event (null).
   */
  markMessageRead(consultantId: string, messageId: string): OutEvent | null {
    return this.commit(consultantId, ({ now }) => {
      const message = this.q.messageById.get(messageId, consultantId);
      if (!message) throw notFound(`No message ${messageId}`);
      if (message.read_at !== null) return null;
      this.q.markRead.run(now, messageId);
      return {
        kind: 'message.read',
        subject: { type: 'message', id: messageId },
        sections: ['counts', 'recentMessages'],
      };
    });
  }

  // ---- payments ----

  completePayment(consultantId: string, options: { amountMinor?: number; familyName?: string }): OutEvent {
    return this.must(consultantId, ({ consultant, now }) => {
      const family = this.familyFor(consultantId, options.familyName);
      const id = newId('p');
      this.q.insertPayment.run(
        id,
        consultantId,
        family.id,
        options.amountMinor ?? 15_000,
        consultant.currency,
        now,
      );
      return { kind: 'payment.completed', subject: { type: 'payment', id }, sections: ['revenue'] };
    });
  }

  // ---- tasks ----

  addTask(consultantId: string, options: { title?: string; dueInDays?: number }): OutEvent {
    return this.must(consultantId, ({ now, today }) => {
      const id = newId('t');
      this.q.insertTask.run(
        id,
        consultantId,
        options.title ?? 'Follow up',
        addDays(today, options.dueInDays ?? 0),
        now,
      );
      return { kind: 'task.created', subject: { type: 'task', id }, sections: ['counts'] };
    });
  }

  completeTask(consultantId: string, taskId?: string): OutEvent {
    return this.must(consultantId, ({ now, today }) => {
      const task = taskId
        ? this.q.openTaskById.get(taskId, consultantId)
        : this.q.firstOpenTask.get(consultantId, today);
      if (!task) throw notFound(taskId ? `No open task ${taskId}` : 'No open task');
      this.q.completeTask.run(now, task.id);
      return { kind: 'task.completed', subject: { type: 'task', id: task.id }, sections: ['counts'] };
    });
  }

  // ---- time ----

  /**
   * Turns the consultant's calendar to the local day of `now`. "Due today" is recomputed,
   * and revenue when the month changed; a `metrics.recalculated` event carries the sections
   * whose value actually changed (none: the day turns without an event).
   */
  rollCalendar(consultantId: string): OutEvent | null {
    return this.commit(consultantId, ({ consultant, now, today }) => {
      const day = localDate(now, consultant.timezone);
      const before = {
        counts: this.projection.counts(consultantId, today),
        revenue: this.projection.revenue(consultant, today),
      };
      this.q.setCalendar.run(day, startOfLocalDay(addDays(day, 1), consultant.timezone), consultantId);
      if (day === today) return null;
      const sections: Section[] = [];
      if (JSON.stringify(this.projection.counts(consultantId, day)) !== JSON.stringify(before.counts)) {
        sections.push('counts');
      }
      if (JSON.stringify(this.projection.revenue(consultant, day)) !== JSON.stringify(before.revenue)) {
        sections.push('revenue');
      }
      if (sections.length === 0) return null;
      return { kind: 'metrics.recalculated', subject: { type: 'consultant', id: consultantId }, sections };
    });
  }

  /** Gives a consultant a calendar (and an event log) if they have none. */
  ensureConsultantState(consultant: ConsultantRow): void {
    this.log.ensure(consultant.id);
    const day = localDate(this.clock.now(), consultant.timezone);
    this.q.createCalendar.run(consultant.id, day, startOfLocalDay(addDays(day, 1), consultant.timezone));
  }

  /**
   * Starts a new event log for the consultant (a new epoch): every client resyncs from a
   * snapshot. Listeners get the new head through `onReset`.
   */
  resetLog(consultantId: string): LogHead {
    this.consultant(consultantId);
    try {
      return this.store.write(() => this.log.reset(consultantId));
    } catch (error) {
      if (isBusyError(error)) throw busy();
      throw error;
    }
  }
}

function prepare(db: Database.Database) {
  type Family = { id: string; name: string };
  return {
    clientFamilyByName: db.prepare<[string, string], Family>(`
      SELECT f.id, f.name FROM families f JOIN consultant_families cf ON cf.family_id = f.id
      WHERE cf.consultant_id = ? AND f.name = ? COLLATE NOCASE LIMIT 1`),
    randomClientFamily: db.prepare<[string], Family>(`
      SELECT f.id, f.name FROM families f JOIN consultant_families cf ON cf.family_id = f.id
      WHERE cf.consultant_id = ? ORDER BY random() LIMIT 1`),
    latestClientFamily: db.prepare<[string], { id: string }>(`
      SELECT family_id AS id FROM consultant_families WHERE consultant_id = ?
      ORDER BY associated_at DESC, family_id DESC LIMIT 1`),
    insertFamily: db.prepare<[string, string]>('INSERT INTO families (id, name) VALUES (?, ?)'),
    associate: db.prepare<[string, string, number]>(
      'INSERT INTO consultant_families (consultant_id, family_id, associated_at) VALUES (?, ?, ?)',
    ),
    dissociate: db.prepare<[string, string]>(
      'DELETE FROM consultant_families WHERE consultant_id = ? AND family_id = ?',
    ),
    insertConsultation: db.prepare<
      [
        {
          id: string;
          consultant: string;
          family: string;
          title: string;
          startsAt: number;
          endsAt: number;
          status: string;
          now: number;
        },
      ]
    >(`INSERT INTO consultations (id, consultant_id, family_id, title, starts_at, ends_at, status, created_at)
       VALUES (@id, @consultant, @family, @title, @startsAt, @endsAt, @status, @now)`),
    consultationById: db.prepare<[string, string], ConsultationRow>(
      'SELECT * FROM consultations WHERE id = ? AND consultant_id = ?',
    ),
    firstWithStatus: db.prepare<[string, string], ConsultationRow>(
      'SELECT * FROM consultations WHERE consultant_id = ? AND status = ? ORDER BY starts_at, id LIMIT 1',
    ),
    setStatus: db.prepare<[string, string]>('UPDATE consultations SET status = ? WHERE id = ?'),
    setTimes: db.prepare<[number, number, string]>(
      'UPDATE consultations SET starts_at = ?, ends_at = ? WHERE id = ?',
    ),
    insertMessage: db.prepare<[string, string, string, string, number]>(
      'INSERT INTO messages (id, consultant_id, family_id, body, sent_at) VALUES (?, ?, ?, ?, ?)',
    ),
    messageById: db.prepare<[string, string], { id: string; read_at: number | null }>(
      'SELECT id, read_at FROM messages WHERE id = ? AND consultant_id = ?',
    ),
    markRead: db.prepare<[number, string]>(
      'UPDATE messages SET read_at = ? WHERE id = ? AND read_at IS NULL',
    ),
    insertPayment: db.prepare<[string, string, string, number, string, number]>(
      'INSERT INTO payments (id, consultant_id, family_id, amount_minor, currency, paid_at) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    insertTask: db.prepare<[string, string, string, string, number]>(
      'INSERT INTO tasks (id, consultant_id, title, due_date, created_at) VALUES (?, ?, ?, ?, ?)',
    ),
    openTaskById: db.prepare<[string, string], { id: string }>(
      'SELECT id FROM tasks WHERE id = ? AND consultant_id = ? AND completed_at IS NULL',
    ),
    // Today's tasks first, then the most overdue, then the soonest due.
    firstOpenTask: db.prepare<[string, string], { id: string }>(`
      SELECT id FROM tasks WHERE consultant_id = ? AND completed_at IS NULL
      ORDER BY due_date <> ?, due_date, created_at LIMIT 1`),
    completeTask: db.prepare<[number, string]>('UPDATE tasks SET completed_at = ? WHERE id = ?'),
    setCalendar: db.prepare<[string, number, string]>(
      'UPDATE calendars SET local_day = ?, next_day_at = ? WHERE consultant_id = ?',
    ),
    createCalendar: db.prepare<[string, string, number]>(
      'INSERT INTO calendars (consultant_id, local_day, next_day_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    ),
  };
}
