/**
 * The database schema. Times are integers (ms since the Unix epoch, UTC); a task's due
 * date is a local calendar date (`YYYY-MM-DD`) because "due today" is a date in the
 * consultant's time zone, not an instant.
 */
export const SCHEMA_VERSION = 1;

export const SCHEMA = /* sql */ `
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS consultants (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  timezone    TEXT NOT NULL,
  currency    TEXT NOT NULL CHECK (length(currency) = 3),
  locale      TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT ''
);

CREATE TABLE IF NOT EXISTS families (
  id   TEXT PRIMARY KEY,
  name TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS consultant_families (
  consultant_id  TEXT NOT NULL REFERENCES consultants(id),
  family_id      TEXT NOT NULL REFERENCES families(id),
  associated_at  INTEGER NOT NULL,
  PRIMARY KEY (consultant_id, family_id)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS consultations (
  id             TEXT PRIMARY KEY,
  consultant_id  TEXT NOT NULL REFERENCES consultants(id),
  family_id      TEXT NOT NULL REFERENCES families(id),
  title          TEXT NOT NULL,
  starts_at      INTEGER NOT NULL,
  ends_at        INTEGER NOT NULL CHECK (ends_at > starts_at),
  status         TEXT NOT NULL CHECK (status IN ('scheduled', 'active', 'completed', 'cancelled')),
  created_at     INTEGER NOT NULL
);
-- Counts and the upcoming list of one consultant.
CREATE INDEX IF NOT EXISTS consultations_by_consultant ON consultations (consultant_id, status, starts_at);
-- The scheduler's next-due queries: earliest scheduled start, earliest active end.
CREATE INDEX IF NOT EXISTS consultations_due_start ON consultations (starts_at) WHERE status = 'scheduled';
CREATE INDEX IF NOT EXISTS consultations_due_end ON consultations (ends_at) WHERE status = 'active';

CREATE TABLE IF NOT EXISTS messages (
  id             TEXT PRIMARY KEY,
  consultant_id  TEXT NOT NULL REFERENCES consultants(id),
  family_id      TEXT NOT NULL REFERENCES families(id),
  body           TEXT NOT NULL,
  sent_at        INTEGER NOT NULL,
  read_at        INTEGER
);
-- Newest first is this index read backwards: by time, then by insertion (the rowid every
-- index ends with), so equal times need no sort. It replaces messages_recent (sent_at DESC),
-- which sorted every message with the newest time.
DROP INDEX IF EXISTS messages_recent;
CREATE INDEX IF NOT EXISTS messages_latest ON messages (consultant_id, sent_at);
CREATE INDEX IF NOT EXISTS messages_unread ON messages (consultant_id) WHERE read_at IS NULL;

CREATE TABLE IF NOT EXISTS payments (
  id               TEXT PRIMARY KEY,
  consultant_id    TEXT NOT NULL REFERENCES consultants(id),
  family_id        TEXT REFERENCES families(id),
  amount_minor     INTEGER NOT NULL CHECK (amount_minor > 0),
  currency         TEXT NOT NULL,
  paid_at          INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS payments_by_time ON payments (consultant_id, paid_at);

CREATE TABLE IF NOT EXISTS tasks (
  id             TEXT PRIMARY KEY,
  consultant_id  TEXT NOT NULL REFERENCES consultants(id),
  title          TEXT NOT NULL,
  due_date       TEXT NOT NULL,
  created_at     INTEGER NOT NULL,
  completed_at   INTEGER
);
CREATE INDEX IF NOT EXISTS tasks_open_by_due ON tasks (consultant_id, due_date) WHERE completed_at IS NULL;

-- The transactional outbox: one row per dashboard change, written with the change.
CREATE TABLE IF NOT EXISTS events (
  consultant_id  TEXT NOT NULL,
  seq            INTEGER NOT NULL,
  epoch          TEXT NOT NULL,
  at             INTEGER NOT NULL,
  kind           TEXT NOT NULL,
  subject        TEXT NOT NULL,
  patch          TEXT NOT NULL,
  PRIMARY KEY (consultant_id, seq)
) WITHOUT ROWID;

-- One log per consultant: its name (epoch) and its last seq, bumped in every write.
CREATE TABLE IF NOT EXISTS event_logs (
  consultant_id  TEXT PRIMARY KEY REFERENCES consultants(id),
  epoch          TEXT NOT NULL,
  last_seq       INTEGER NOT NULL
) WITHOUT ROWID;

-- The local day each consultant's dashboard is computed for, and when it next turns.
-- Stored (rather than derived from the clock) so a snapshot always matches its seq.
CREATE TABLE IF NOT EXISTS calendars (
  consultant_id  TEXT PRIMARY KEY REFERENCES consultants(id),
  local_day      TEXT NOT NULL,
  next_day_at    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS calendars_next ON calendars (next_day_at);
`;
