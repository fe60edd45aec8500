/**
 * Every change to a dashboard goes through `Domain.commit`: the domain write, the
 * recomputation of the sections it touched, and the event carrying them are ONE
 * transaction (the transactional outbox). The transaction first takes the consultant's log
 * (`EventLog.lock`), so writers for the same consultant, on this node or another, run one
 * after the other and each patch is computed from the state its seq follows. Only after
 * the commit are listeners told, so a connection never sees an event that did not happen,
 * and a refused or failed write (a thrown error, a busy or unreachable database) leaves
 * neither the change nor its event behind.
 */
import type { EventKind, Subject } from '@fg/protocol';
import type { Clock } from './clock.js';
import type { ConsultantRow, Consultants } from './db/consultants.js';
import type { EventLog, LogHead, OutEvent } from './db/eventlog.js';
import type { Sql, Storage } from './db/storage.js';
import { notFound } from './errors.js';
import { newId } from './ids.js';
import type { Projection, Section } from './projection.js';
import { addDays, localDate, startOfLocalDay } from './time.js';

export interface Change {
  kind: EventKind;
  subject: Subject;
  sections: readonly Section[];
  /** The consultant's day after the change, when the change turned it (the patch is for that day). */
  today?: string;
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

type Family = { id: string; name: string };

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

const SQL = {
  clientFamilyByName: `
    SELECT f.id, f.name FROM families f JOIN consultant_families cf ON cf.family_id = f.id
    WHERE cf.consultant_id = ? AND lower(f.name) = lower(CAST(? AS TEXT)) LIMIT 1`,
  randomClientFamily: `
    SELECT f.id, f.name FROM families f JOIN consultant_families cf ON cf.family_id = f.id
    WHERE cf.consultant_id = ? ORDER BY random() LIMIT 1`,
  latestClientFamily: `
    SELECT family_id AS id FROM consultant_families WHERE consultant_id = ?
    ORDER BY associated_at DESC, family_id DESC LIMIT 1`,
  insertFamily: 'INSERT INTO families (id, name) VALUES (?, ?)',
  associate: 'INSERT INTO consultant_families (consultant_id, family_id, associated_at) VALUES (?, ?, ?)',
  dissociate: 'DELETE FROM consultant_families WHERE consultant_id = ? AND family_id = ?',
  insertConsultation: `
    INSERT INTO consultations (id, consultant_id, family_id, title, starts_at, ends_at, status, created_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  consultationById: `
    SELECT id, consultant_id, family_id, title, starts_at, ends_at, status
    FROM consultations WHERE id = ? AND consultant_id = ?`,
  firstWithStatus: `
    SELECT id, consultant_id, family_id, title, starts_at, ends_at, status
    FROM consultations WHERE consultant_id = ? AND status = ? ORDER BY starts_at, id LIMIT 1`,
  setStatus: 'UPDATE consultations SET status = ? WHERE id = ?',
  setTimes: 'UPDATE consultations SET starts_at = ?, ends_at = ? WHERE id = ?',
  insertMessage: 'INSERT INTO messages (id, consultant_id, family_id, body, sent_at) VALUES (?, ?, ?, ?, ?)',
  messageById: 'SELECT id, read_at FROM messages WHERE id = ? AND consultant_id = ?',
  markRead: 'UPDATE messages SET read_at = ? WHERE id = ? AND read_at IS NULL',
  insertPayment:
    'INSERT INTO payments (id, consultant_id, family_id, amount_minor, currency, paid_at) VALUES (?, ?, ?, ?, ?, ?)',
  insertTask: 'INSERT INTO tasks (id, consultant_id, title, due_date, created_at) VALUES (?, ?, ?, ?, ?)',
  openTaskById: 'SELECT id FROM tasks WHERE id = ? AND consultant_id = ? AND completed_at IS NULL',
  // Today's tasks first, then the most overdue, then the soonest due.
  firstOpenTask: `
    SELECT id FROM tasks WHERE consultant_id = ? AND completed_at IS NULL
    ORDER BY due_date <> ?, due_date, created_at LIMIT 1`,
  completeTask: 'UPDATE tasks SET completed_at = ? WHERE id = ?',
  setCalendar: 'UPDATE calendars SET local_day = ?, next_day_at = ? WHERE consultant_id = ?',
  createCalendar:
    'INSERT INTO calendars (consultant_id, local_day, next_day_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
} as const;

export class Domain {
  private readonly listeners: CommitListener[] = [];
  /** Takes the consultant's log (see `EventLog.lock`) and reads their day, in one statement. */
  private readonly lockSql: string;

  constructor(
    private readonly storage: Storage,
    private readonly consultants: Consultants,
    private readonly log: EventLog,
    private readonly projection: Projection,
    private readonly clock: Clock,
  ) {
    this.lockSql =
      `SELECT l.epoch, l.last_seq AS seq, k.local_day FROM event_logs l
       JOIN calendars k ON k.consultant_id = l.consultant_id WHERE l.consultant_id = ?` +
      storage.dialect.forUpdate;
  }

  /** Called after every commit that appended an event. */
  onCommit(listener: CommitListener): void {
    this.listeners.push(listener);
  }

  async consultant(consultantId: string): Promise<ConsultantRow> {
    const consultant = await this.consultants.get(consultantId);
    if (!consultant) throw notFound(`No consultant ${consultantId}`);
    return consultant;
  }

  /**
   * Runs `change` and appends its event in one write transaction. `change` answers null
   * when nothing on the dashboard changed; then no event is appended.
   */
  async commit(
    consultantId: string,
    change: (tx: Sql, ctx: WriteContext) => Promise<Change | null>,
  ): Promise<OutEvent | null> {
    const consultant = await this.consultant(consultantId);
    const event = await this.storage.write(async (tx) => {
      // First, before reading anything the patch is computed from: writers for this
      // consultant, on any node, wait here for the one before to commit.
      const locked = await tx.get<{ local_day: string }>(this.lockSql, [consultantId]);
      if (!locked) throw new Error(`no event log or calendar for consultant ${consultantId}`);
      const now = this.clock.now();
      const today = locked.local_day;
      const result = await change(tx, { consultant, now, today });
      if (!result) return null;
      const patch = await this.projection.sections(tx, consultant, result.sections, result.today ?? today);
      return this.log.append(tx, consultantId, {
        at: now,
        kind: result.kind,
        subject: result.subject,
        patch,
      });
    });
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
  private async must(
    consultantId: string,
    change: (tx: Sql, ctx: WriteContext) => Promise<Change>,
  ): Promise<OutEvent> {
    return (await this.commit(consultantId, change))!;
  }

  // ---- families ----

  /**
   * The family a visitor names: one of the consultant's client families with that name
   * (case-insensitive), else a new family record. Naming a family never makes it a client;
   * only `associateFamily` does, so family-client counts move only with their own event.
   */
  private async familyFor(tx: Sql, consultantId: string, name: string | undefined): Promise<Family> {
    if (name) {
      const existing = await tx.get<Family>(SQL.clientFamilyByName, [consultantId, name]);
      if (existing) return existing;
    } else {
      const any = await tx.get<Family>(SQL.randomClientFamily, [consultantId]);
      if (any) return any;
    }
    const family = { id: newId('f'), name: name ?? pick(FAMILY_NAMES) };
    await tx.run(SQL.insertFamily, [family.id, family.name]);
    return family;
  }

  associateFamily(consultantId: string, familyName?: string): Promise<OutEvent> {
    return this.must(consultantId, async (tx, { now }) => {
      const family = { id: newId('f'), name: familyName ?? pick(FAMILY_NAMES) };
      await tx.run(SQL.insertFamily, [family.id, family.name]);
      await tx.run(SQL.associate, [consultantId, family.id, now]);
      return { kind: 'family.associated', subject: { type: 'family', id: family.id }, sections: ['counts'] };
    });
  }

  dissociateFamily(consultantId: string, familyId?: string): Promise<OutEvent> {
    return this.must(consultantId, async (tx) => {
      const id = familyId ?? (await tx.get<{ id: string }>(SQL.latestClientFamily, [consultantId]))?.id;
      if (!id || (await tx.run(SQL.dissociate, [consultantId, id])) === 0) {
        throw notFound(familyId ? `No client family ${familyId}` : 'The consultant has no client families');
      }
      return { kind: 'family.dissociated', subject: { type: 'family', id }, sections: ['counts'] };
    });
  }

  // ---- consultations ----

  book(
    consultantId: string,
    options: { startsInSeconds?: number; durationMinutes?: number; familyName?: string; title?: string },
  ): Promise<OutEvent> {
    return this.must(consultantId, async (tx, { now }) => {
      const family = await this.familyFor(tx, consultantId, options.familyName);
      const startsAt = now + (options.startsInSeconds ?? 3600) * 1000;
      const endsAt = startsAt + (options.durationMinutes ?? 50) * 60_000;
      const id = newId('k');
      await tx.run(SQL.insertConsultation, [
        id,
        consultantId,
        family.id,
        options.title ?? 'Consultation',
        startsAt,
        endsAt,
        'scheduled',
        now,
      ]);
      return {
        kind: 'consultation.booked',
        // Named, so that a booking past the first five upcoming is still announced in full.
        subject: {
          type: 'consultation',
          id,
          familyName: family.name,
          startsAt: new Date(startsAt).toISOString(),
        },
        sections: ['counts', 'upcoming'],
      };
    });
  }

  private async consultation(
    tx: Sql,
    consultantId: string,
    id: string | undefined,
    allowed: readonly ConsultationRow['status'][],
    fallback: ConsultationRow['status'],
    describe: string,
  ): Promise<ConsultationRow> {
    const row = id
      ? await tx.get<ConsultationRow>(SQL.consultationById, [id, consultantId])
      : await tx.get<ConsultationRow>(SQL.firstWithStatus, [consultantId, fallback]);
    if (!row || !allowed.includes(row.status)) {
      throw notFound(id ? `No ${describe} consultation ${id}` : `No ${describe} consultation`);
    }
    return row;
  }

  /**
   * Starts a consultation: by hand (simulate), or by the scheduler at its start time
   * (`{ onTime: true }`: only one whose start time has come, checked in the transaction).
   */
  startConsultation(
    consultantId: string,
    consultationId?: string,
    { onTime = false } = {},
  ): Promise<OutEvent> {
    return this.moveConsultation(
      consultantId,
      consultationId,
      ['scheduled'],
      'scheduled',
      'active',
      'consultation.started',
      onTime ? 'starts_at' : undefined,
    );
  }

  /** Completes a consultation; `{ onTime: true }` (the scheduler): only one whose end time has come. */
  completeConsultation(
    consultantId: string,
    consultationId?: string,
    { onTime = false } = {},
  ): Promise<OutEvent> {
    return this.moveConsultation(
      consultantId,
      consultationId,
      ['scheduled', 'active'],
      'active',
      'completed',
      'consultation.completed',
      onTime ? 'ends_at' : undefined,
    );
  }

  cancelConsultation(consultantId: string, consultationId?: string): Promise<OutEvent> {
    return this.moveConsultation(
      consultantId,
      consultationId,
      ['scheduled', 'active'],
      'scheduled',
      'cancelled',
      'consultation.cancelled',
    );
  }

  /**
   * One status change of a consultation: the given one if its status allows it, else the
   * first with status `pick`; it becomes `to`, and the counts and the upcoming list follow.
   * With `dueAt`, only once that time of it has come: the scheduler found it due before this
   * transaction, and a reschedule may have moved it since.
   */
  private moveConsultation(
    consultantId: string,
    consultationId: string | undefined,
    from: readonly ConsultationRow['status'][],
    pick: ConsultationRow['status'],
    to: ConsultationRow['status'],
    kind: OutEvent['kind'],
    dueAt?: 'starts_at' | 'ends_at',
  ): Promise<OutEvent> {
    return this.must(consultantId, async (tx, { now }) => {
      const row = await this.consultation(tx, consultantId, consultationId, from, pick, pick);
      if (dueAt && row[dueAt] > now) throw notFound(`Consultation ${row.id} is not due yet`);
      await tx.run(SQL.setStatus, [to, row.id]);
      // Started before its time: it starts now, and lasts as long as it was to.
      if (to === 'active' && row.starts_at > now)
        await tx.run(SQL.setTimes, [now, now + (row.ends_at - row.starts_at), row.id]);
      return { kind, subject: { type: 'consultation', id: row.id }, sections: ['counts', 'upcoming'] };
    });
  }

  rescheduleConsultation(
    consultantId: string,
    consultationId?: string,
    startsInSeconds?: number,
  ): Promise<OutEvent> {
    return this.must(consultantId, async (tx, { now }) => {
      const row = await this.consultation(
        tx,
        consultantId,
        consultationId,
        ['scheduled'],
        'scheduled',
        'scheduled',
      );
      const startsAt = now + (startsInSeconds ?? 24 * 3600) * 1000;
      await tx.run(SQL.setTimes, [startsAt, startsAt + (row.ends_at - row.starts_at), row.id]);
      return {
        kind: 'consultation.rescheduled',
        subject: { type: 'consultation', id: row.id },
        sections: ['upcoming'],
      };
    });
  }

  // ---- messages ----

  receiveMessage(consultantId: string, options: { familyName?: string; text?: string }): Promise<OutEvent> {
    return this.must(consultantId, async (tx, { now }) => {
      const family = await this.familyFor(tx, consultantId, options.familyName);
      const id = newId('m');
      await tx.run(SQL.insertMessage, [
        id,
        consultantId,
        family.id,
        options.text ?? 'Hello! Could we talk this week?',
        now,
      ]);
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
  markMessageRead(consultantId: string, messageId: string): Promise<OutEvent | null> {
    return this.commit(consultantId, async (tx, { now }) => {
      const message = await tx.get<{ id: string; read_at: number | null }>(SQL.messageById, [
        messageId,
        consultantId,
      ]);
      if (!message) throw notFound(`No message ${messageId}`);
      if (message.read_at !== null) return null;
      await tx.run(SQL.markRead, [now, messageId]);
      return {
        kind: 'message.read',
        subject: { type: 'message', id: messageId },
        sections: ['counts', 'recentMessages'],
      };
    });
  }

  // ---- payments ----

  completePayment(
    consultantId: string,
    options: { amountMinor?: number; familyName?: string },
  ): Promise<OutEvent> {
    return this.must(consultantId, async (tx, { consultant, now }) => {
      const family = await this.familyFor(tx, consultantId, options.familyName);
      const id = newId('p');
      await tx.run(SQL.insertPayment, [
        id,
        consultantId,
        family.id,
        options.amountMinor ?? 15_000,
        consultant.currency,
        now,
      ]);
      return { kind: 'payment.completed', subject: { type: 'payment', id }, sections: ['revenue'] };
    });
  }

  // ---- tasks ----

  addTask(consultantId: string, options: { title?: string; dueInDays?: number }): Promise<OutEvent> {
    return this.must(consultantId, async (tx, { consultant, now }) => {
      const id = newId('t');
      await tx.run(SQL.insertTask, [
        id,
        consultantId,
        options.title ?? 'Follow up',
        // The consultant's date now, which the stored day (turned by the scheduler) may not be yet.
        addDays(localDate(now, consultant.timezone), options.dueInDays ?? 0),
        now,
      ]);
      return { kind: 'task.created', subject: { type: 'task', id }, sections: ['counts'] };
    });
  }

  completeTask(consultantId: string, taskId?: string): Promise<OutEvent> {
    return this.must(consultantId, async (tx, { now, today }) => {
      const task = taskId
        ? await tx.get<{ id: string }>(SQL.openTaskById, [taskId, consultantId])
        : await tx.get<{ id: string }>(SQL.firstOpenTask, [consultantId, today]);
      if (!task) throw notFound(taskId ? `No open task ${taskId}` : 'No open task');
      await tx.run(SQL.completeTask, [now, task.id]);
      return { kind: 'task.completed', subject: { type: 'task', id: task.id }, sections: ['counts'] };
    });
  }

  // ---- time ----

  /**
   * Turns the consultant's calendar to the local day of `now`. "Due today" is recomputed,
   * and revenue when the month changed; a `metrics.recalculated` event carries the sections
   * whose value actually changed (none: the day turns without an event).
   */
  rollCalendar(consultantId: string): Promise<OutEvent | null> {
    return this.commit(consultantId, async (tx, { consultant, now, today }) => {
      const day = localDate(now, consultant.timezone);
      const before = {
        counts: await this.projection.counts(tx, consultantId, today),
        revenue: await this.projection.revenue(tx, consultant, today),
      };
      await tx.run(SQL.setCalendar, [
        day,
        startOfLocalDay(addDays(day, 1), consultant.timezone),
        consultantId,
      ]);
      if (day === today) return null;
      const sections: Section[] = [];
      const counts = await this.projection.counts(tx, consultantId, day);
      if (JSON.stringify(counts) !== JSON.stringify(before.counts)) sections.push('counts');
      const revenue = await this.projection.revenue(tx, consultant, day);
      if (JSON.stringify(revenue) !== JSON.stringify(before.revenue)) sections.push('revenue');
      if (sections.length === 0) return null;
      return {
        kind: 'metrics.recalculated',
        subject: { type: 'consultant', id: consultantId },
        sections,
        today: day,
      };
    });
  }

  /** Gives a consultant a calendar (and an event log) if they have none. */
  async ensureConsultantState(tx: Sql, consultant: ConsultantRow): Promise<void> {
    await this.log.ensure(tx, consultant.id);
    const day = localDate(this.clock.now(), consultant.timezone);
    await tx.run(SQL.createCalendar, [
      consultant.id,
      day,
      startOfLocalDay(addDays(day, 1), consultant.timezone),
    ]);
  }

  /**
   * Starts a new event log for the consultant (a new epoch): every client resyncs from a
   * snapshot.
   */
  async resetLog(consultantId: string): Promise<LogHead> {
    await this.consultant(consultantId);
    return this.storage.write(async (tx) => {
      await this.log.lock(tx, consultantId);
      return this.log.reset(tx, consultantId);
    });
  }
}
