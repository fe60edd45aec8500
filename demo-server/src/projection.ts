/**
 * The dashboard as the server computes it. Every number comes from SQL over the current
 * rows; "today" and "this month" come from the consultant's stored calendar day (turned by
 * the scheduler at local midnight, with an event), so a snapshot always agrees with its seq.
 */
import {
  Limits,
  type Counts,
  type MessageItem,
  type Patch,
  type Revenue,
  type Snapshot,
  type UpcomingItem,
} from '@fg/protocol';
import type { ConsultantRow } from './db/consultants.js';
import type { EventLog } from './db/eventlog.js';
import type { Sql, Storage } from './db/storage.js';
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

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/**
 * `text` in at most `max` UTF-16 code units, as the wire counts them (JavaScript's string
 * length: an emoji takes two or more), cut between two characters as a reader sees them,
 * never inside an emoji or an accented letter, and ended with `more` when cut. What the
 * database holds (written by other means than this server's checks, or a string SQLite had to
 * repair) can then never make a frame the protocol's limits refuse.
 */
export function clip(text: string, max: number, more = ''): string {
  if (text.length <= max) return text;
  // The cut falls where the character holding the first unit past the room begins: only
  // that character is looked at, not every one before it.
  const cut = graphemes.segment(text).containing(max - more.length)!.index;
  return text.slice(0, cut).trimEnd() + more;
}

/** A message's first words, whitespace collapsed, within the protocol's limit (ended "…" when cut). */
export function preview(body: string): string {
  return clip(body.replace(/\s+/g, ' ').trim(), Limits.messagePreviewChars, '…');
}

export class Projection {
  private readonly sql: {
    counts: string;
    revenue: string;
    upcoming: string;
    messages: string;
    day: string;
  };

  constructor(
    private readonly storage: Storage,
    private readonly log: EventLog,
  ) {
    this.sql = {
      // Column names are quoted: PostgreSQL folds unquoted ones to lower case.
      counts: `
        SELECT
          (SELECT count(*) FROM consultations WHERE consultant_id = ? AND status = 'scheduled') AS upcoming,
          (SELECT count(*) FROM consultations WHERE consultant_id = ? AND status = 'active') AS active,
          (SELECT count(*) FROM consultations WHERE consultant_id = ? AND status = 'completed') AS completed,
          (SELECT count(*) FROM consultant_families WHERE consultant_id = ?) AS "familyClients",
          (SELECT count(*) FROM messages WHERE consultant_id = ? AND read_at IS NULL) AS "unreadMessages",
          (SELECT count(*) FROM tasks
             WHERE consultant_id = ? AND due_date = ? AND completed_at IS NULL) AS "tasksDueToday"`,
      revenue: `
        SELECT CAST(coalesce(sum(amount_minor), 0) AS BIGINT) AS amount FROM payments
        WHERE consultant_id = ? AND paid_at >= ? AND paid_at < ?`,
      // Active consultations started earlier than scheduled ones, so they lead the list and
      // an item keeps its place when its status turns from scheduled to active.
      upcoming: `
        SELECT k.id, f.name AS "familyName", k.title, k.starts_at AS "startsAt", k.ends_at AS "endsAt", k.status
        FROM consultations k JOIN families f ON f.id = k.family_id
        WHERE k.consultant_id = ? AND k.status IN ('scheduled', 'active')
        ORDER BY k.starts_at, k.id LIMIT ?`,
      messages: `
        SELECT m.id, f.name AS "familyName", m.body, m.sent_at AS "sentAt", m.read_at AS "readAt"
        FROM messages m JOIN families f ON f.id = m.family_id
        WHERE m.consultant_id = ?
        ORDER BY m.sent_at DESC, m.${storage.dialect.insertionOrder} DESC LIMIT ?`,
      day: 'SELECT local_day FROM calendars WHERE consultant_id = ?',
    };
  }

  /** The local day the consultant's dashboard is computed for. */
  async today(q: Sql, consultantId: string): Promise<string> {
    const row = await q.get<{ local_day: string }>(this.sql.day, [consultantId]);
    if (!row) throw new Error(`no calendar for consultant ${consultantId}`);
    return row.local_day;
  }

  async counts(q: Sql, consultantId: string, today: string): Promise<Counts> {
    const c = consultantId;
    const row = await q.get<Counts>(this.sql.counts, [c, c, c, c, c, c, today]);
    return { ...row! };
  }

  async revenue(q: Sql, consultant: ConsultantRow, today: string): Promise<Revenue> {
    const range = monthRange(today, consultant.timezone);
    const row = await q.get<{ amount: number }>(this.sql.revenue, [consultant.id, range.from, range.to]);
    return { month: range.month, amountMinor: row!.amount, currency: consultant.currency };
  }

  async upcoming(q: Sql, consultantId: string): Promise<UpcomingItem[]> {
    const rows = await q.all<UpcomingRow>(this.sql.upcoming, [consultantId, Limits.upcomingItems]);
    return rows.map((row) => ({
      id: row.id,
      familyName: clip(row.familyName, Limits.nameChars),
      title: clip(row.title, Limits.nameChars),
      startsAt: new Date(row.startsAt).toISOString(),
      endsAt: new Date(row.endsAt).toISOString(),
      status: row.status,
    }));
  }

  async recentMessages(q: Sql, consultantId: string): Promise<MessageItem[]> {
    const rows = await q.all<MessageRow>(this.sql.messages, [consultantId, Limits.recentMessages]);
    return rows.map((row) => ({
      id: row.id,
      familyName: clip(row.familyName, Limits.nameChars),
      preview: preview(row.body),
      sentAt: new Date(row.sentAt).toISOString(),
      read: row.readAt !== null,
    }));
  }

  /** The new value of each named section, each whole. */
  async sections(
    q: Sql,
    consultant: ConsultantRow,
    names: readonly Section[],
    today: string,
  ): Promise<Patch> {
    const patch: Patch = {};
    for (const name of names) {
      if (name === 'counts') patch.counts = await this.counts(q, consultant.id, today);
      else if (name === 'revenue') patch.revenue = await this.revenue(q, consultant, today);
      else if (name === 'upcoming') patch.upcoming = await this.upcoming(q, consultant.id);
      else patch.recentMessages = await this.recentMessages(q, consultant.id);
    }
    return patch;
  }

  /** The whole dashboard and the seq it is current to, read in one transaction. */
  snapshot(consultant: ConsultantRow, now: number): Promise<Snapshot> {
    return this.storage.read((tx) => this.snapshotIn(tx, consultant, now));
  }

  /** The snapshot, inside the caller's read transaction. */
  async snapshotIn(tx: Sql, consultant: ConsultantRow, now: number): Promise<Snapshot> {
    const head = await this.log.head(tx, consultant.id);
    const today = await this.today(tx, consultant.id);
    return {
      epoch: head.epoch,
      seq: head.seq,
      serverTime: now,
      consultant: {
        id: consultant.id,
        name: clip(consultant.name, Limits.nameChars),
        timezone: consultant.timezone,
        currency: consultant.currency,
        locale: consultant.locale,
      },
      counts: await this.counts(tx, consultant.id, today),
      revenue: await this.revenue(tx, consultant, today),
      upcoming: await this.upcoming(tx, consultant.id),
      recentMessages: await this.recentMessages(tx, consultant.id),
    };
  }
}
