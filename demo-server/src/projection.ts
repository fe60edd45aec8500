/**
 * The dashboard as the server computes it. Every number comes from SQL over the current
 * rows; "today" and "this month" come from the consultant's stored calendar day (turned by
 * the scheduler at local midnight, with an event), so a snapshot always agrees with its seq.
 */
import type Database from 'better-sqlite3';
import {
  Limits,
  type Counts,
  type MessageItem,
  type Patch,
  type Revenue,
  type Snapshot,
  type UpcomingItem,
} from '@fg/protocol';
import type { EventLog } from './db/eventlog.js';
import type { ConsultantRow, Store } from './db/store.js';
import { monthRange } from './time.js';

export type Section = keyof Patch;
export const ALL_SECTIONS: readonly Section[] = ['counts', 'revenue', 'upcoming', 'recentMessages'];

interface UpcomingRow {
  id: string;
  familyName: string;
  title: string;
  startsAt: number;
  endsAt: number;
  status: 'scheduled' | 'active';
}

interface MessageRow {
  id: string;
  familyName: string;
  body: string;
  sentAt: number;
  readAt: number | null;
}

/** A preview never exceeds the protocol's limit, and is cut on a code point boundary. */
export function preview(body: string): string {
  const text = body.replace(/\s+/g, ' ').trim();
  const chars = Array.from(text);
  if (chars.length <= Limits.messagePreviewChars) return text;
  return chars.slice(0, Limits.messagePreviewChars - 1).join('') + '…';
}

export class Projection {
  private readonly stmts: {
    counts: Database.Statement<{ c: string; today: string }, Counts>;
    revenue: Database.Statement<{ c: string; from: number; to: number }, { amount: number }>;
    upcoming: Database.Statement<{ c: string; limit: number }, UpcomingRow>;
    messages: Database.Statement<{ c: string; limit: number }, MessageRow>;
    day: Database.Statement<[string], { local_day: string }>;
  };

  constructor(
    private readonly store: Store,
    private readonly log: EventLog,
  ) {
    const db = store.db;
    this.stmts = {
      counts: db.prepare(`
        SELECT
          (SELECT count(*) FROM consultations WHERE consultant_id = @c AND status = 'scheduled') AS upcoming,
          (SELECT count(*) FROM consultations WHERE consultant_id = @c AND status = 'active') AS active,
          (SELECT count(*) FROM consultations WHERE consultant_id = @c AND status = 'completed') AS completed,
          (SELECT count(*) FROM consultant_families WHERE consultant_id = @c) AS familyClients,
          (SELECT count(*) FROM messages WHERE consultant_id = @c AND read_at IS NULL) AS unreadMessages,
          (SELECT count(*) FROM tasks
             WHERE consultant_id = @c AND due_date = @today AND completed_at IS NULL) AS tasksDueToday`),
      revenue: db.prepare(`
        SELECT coalesce(sum(amount_minor), 0) AS amount FROM payments
        WHERE consultant_id = @c AND paid_at >= @from AND paid_at < @to`),
      // Active consultations started earlier than scheduled ones, so they lead the list and
      // an item keeps its place when its status turns from scheduled to active.
      upcoming: db.prepare(`
        SELECT k.id, f.name AS familyName, k.title, k.starts_at AS startsAt, k.ends_at AS endsAt, k.status
        FROM consultations k JOIN families f ON f.id = k.family_id
        WHERE k.consultant_id = @c AND k.status IN ('scheduled', 'active')
        ORDER BY k.starts_at, k.id LIMIT @limit`),
      messages: db.prepare(`
        SELECT m.id, f.name AS familyName, m.body, m.sent_at AS sentAt, m.read_at AS readAt
        FROM messages m JOIN families f ON f.id = m.family_id
        WHERE m.consultant_id = @c
        ORDER BY m.sent_at DESC, m.rowid DESC LIMIT @limit`),
      day: db.prepare('SELECT local_day FROM calendars WHERE consultant_id = ?'),
    };
  }

  /** The local day the consultant's dashboard is computed for. */
  today(consultantId: string): string {
    const row = this.stmts.day.get(consultantId);
    if (!row) throw new Error(`no calendar for consultant ${consultantId}`);
    return row.local_day;
  }

  counts(consultantId: string, today = this.today(consultantId)): Counts {
    return { ...this.stmts.counts.get({ c: consultantId, today })! };
  }

  revenue(consultant: ConsultantRow, today = this.today(consultant.id)): Revenue {
    const range = monthRange(today, consultant.timezone);
    const { amount } = this.stmts.revenue.get({ c: consultant.id, from: range.from, to: range.to })!;
    return { month: range.month, amountMinor: amount, currency: consultant.currency };
  }

  upcoming(consultantId: string): UpcomingItem[] {
    return this.stmts.upcoming.all({ c: consultantId, limit: Limits.upcomingItems }).map((row) => ({
      id: row.id,
      familyName: row.familyName,
      title: row.title,
      startsAt: new Date(row.startsAt).toISOString(),
      endsAt: new Date(row.endsAt).toISOString(),
      status: row.status,
    }));
  }

  recentMessages(consultantId: string): MessageItem[] {
    return this.stmts.messages.all({ c: consultantId, limit: Limits.recentMessages }).map((row) => ({
      id: row.id,
      familyName: row.familyName,
      preview: preview(row.body),
      sentAt: new Date(row.sentAt).toISOString(),
      read: row.readAt !== null,
    }));
  }

  /** The new value of each named section, each whole. */
  sections(consultant: ConsultantRow, names: readonly Section[]): Patch {
    const patch: Patch = {};
    const today = names.includes('counts') || names.includes('revenue') ? this.today(consultant.id) : '';
    for (const name of names) {
      if (name === 'counts') patch.counts = this.counts(consultant.id, today);
      else if (name === 'revenue') patch.revenue = this.revenue(consultant, today);
      else if (name === 'upcoming') patch.upcoming = this.upcoming(consultant.id);
      else patch.recentMessages = this.recentMessages(consultant.id);
    }
    return patch;
  }

  /** The whole dashboard and the seq it is current to, read in one transaction. */
  snapshot(consultant: ConsultantRow, now: number): Snapshot {
    return this.store.read(() => {
      const head = this.log.head(consultant.id);
      const today = this.today(consultant.id);
      return {
        epoch: head.epoch,
        seq: head.seq,
        serverTime: now,
        consultant: {
          id: consultant.id,
          name: consultant.name,
          timezone: consultant.timezone,
          currency: consultant.currency,
          locale: consultant.locale,
        },
        counts: this.counts(consultant.id, today),
        revenue: this.revenue(consultant, today),
        upcoming: this.upcoming(consultant.id),
        recentMessages: this.recentMessages(consultant.id),
      };
    });
  }
}
