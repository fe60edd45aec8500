/**
 * Consultants and the small key-value `meta` table. A consultant row never changes once
 * written, so rows are kept in memory after their first read: a connection's identity check
 * costs no query. Unknown ids are not remembered (another node may add them).
 */
import type { Sql, Storage } from './storage.js';

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
  private readonly known = new Map<string, ConsultantRow>();

  constructor(private readonly storage: Storage) {}

  async get(id: string): Promise<ConsultantRow | undefined> {
    const cached = this.known.get(id);
    if (cached) return cached;
    const row = await this.storage.sql.get<ConsultantRow>(`SELECT ${COLUMNS} FROM consultants WHERE id = ?`, [
      id,
    ]);
    if (row) this.known.set(id, row);
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
