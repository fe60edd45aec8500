/**
 * Consultants and the small key-value `meta` table. A consultant row never changes once
 * written, so a row read is kept in memory for a while (CONSULTANT_KEPT_MS): a connection's
 * identity check mostly costs no query, and a consultant removed from the database (by
 * whatever manages the accounts) is refused within that time. Unknown ids are not remembered
 * (another node may add them).
 */
import type { Clock } from '../clock.js';
import type { Sql, Storage } from './storage.js';

/** How long a consultant row read is used without reading it again. */
export const CONSULTANT_KEPT_MS = 30_000;

export interface ConsultantRow {
  id: string;
  name: string;
  timezone: string;
  currency: string;
  locale: string;
  description: string;
}

const COLUMNS = 'id, name, timezone, currency, locale, description';

export class Consultants {
  private readonly known = new Map<string, { row: ConsultantRow; until: number }>();

  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
  ) {}

  async get(id: string): Promise<ConsultantRow | undefined> {
    const now = this.clock.now();
    const kept = this.known.get(id);
    if (kept && now < kept.until) return kept.row;
    const row = await this.storage.sql.get<ConsultantRow>(`SELECT ${COLUMNS} FROM consultants WHERE id = ?`, [
      id,
    ]);
    if (row) this.known.set(id, { row, until: now + CONSULTANT_KEPT_MS });
    else this.known.delete(id);
    return row;
  }

  /** Every consultant, in the order they were added. */
  async all(q: Sql = this.storage.sql): Promise<ConsultantRow[]> {
    return q.all<ConsultantRow>(
      `SELECT ${COLUMNS} FROM consultants ORDER BY ${this.storage.dialect.insertionOrder}`,
    );
  }
}

export async function readMeta(q: Sql, key: string): Promise<string | undefined> {
  return (await q.get<{ value: string }>('SELECT value FROM meta WHERE key = ?', [key]))?.value;
}

/** Stores `value` unless the key has one already; answers the value kept (first writer wins). */
export async function keepMeta(q: Sql, key: string, value: string): Promise<string> {
  await q.run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING', [key, value]);
  return (await readMeta(q, key)) ?? value;
}
