/**
 * Demo data, written once on the first start (times relative to the clock's now, so the
 * dashboards look alive whenever the database is created). Seeding appends no events: it
 * is the state before any log entry, seq 0.
 */
import type { Clock } from './clock.js';
import { keepMeta, readMeta } from './db/consultants.js';
import type { Sql } from './db/storage.js';
import { addDays, localDate, monthRange } from './time.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

interface ConsultantSeed {
  id: string;
  name: string;
  timezone: string;
  currency: string;
  locale: string;
  description: string;
  families: string[];
  /** [start offset from now, duration] in ms. */
  active: [number, number][];
  upcoming: [number, number][];
  completed: number;
  /** Payments inside the current local month, in minor units; they sum to the month's revenue. */
  monthPayments: number[];
  earlierPayments: number[];
  /** [offset from now, read?, text] */
  messages: [number, boolean, string][];
  /** [days from today, completed?, title] */
  tasks: [number, boolean, string][];
}

const TITLES = ['Sleep routines', 'School transition', 'Sibling conflict', 'Screen time plan', 'Follow-up'];

const SEEDS: ConsultantSeed[] = [
  {
    id: 'c-story',
    name: 'Dr. Maya Chen',
    timezone: 'America/New_York',
    currency: 'USD',
    locale: 'en-US',
    description: 'The story: 3 upcoming, 2 active, $5,000.00 this month, 6 family clients, 0 unread.',
    families: [
      'The Johnson family',
      'The Patel family',
      'The Garcia family',
      'The Kim family',
      'The Novak family',
      'The Abara family',
    ],
    // Long sessions, so that moving time to the next start leaves both still active.
    active: [
      [-20 * MIN, 110 * MIN],
      [-10 * MIN, 100 * MIN],
    ],
    upcoming: [
      [45 * MIN, 50 * MIN],
      [DAY + 2 * HOUR, 50 * MIN],
      [3 * DAY, 60 * MIN],
    ],
    completed: 14,
    monthPayments: [200_000, 150_000, 100_000, 50_000],
    earlierPayments: [180_000, 140_000],
    messages: [
      [-26 * HOUR, true, 'Thank you for the notes from last week, they really helped.'],
      [-5 * HOUR, true, 'Could we bring our daughter to the next session?'],
      [-3 * HOUR, true, 'The new bedtime routine is working so far!'],
      [-50 * MIN, true, 'See you tomorrow. We will bring the sleep diary.'],
    ],
    tasks: [
      [0, false, 'Review intake form'],
      [0, false, 'Send session summary'],
      [0, true, 'Confirm Thursday slot'],
      [1, false, 'Prepare workshop slides'],
    ],
  },
  {
    id: 'c-empty',
    name: 'Alex Rivera',
    timezone: 'America/Chicago',
    currency: 'USD',
    locale: 'en-US',
    description: 'A new consultant with no data at all: every widget shows its empty state.',
    families: [],
    active: [],
    upcoming: [],
    completed: 0,
    monthPayments: [],
    earlierPayments: [],
    messages: [],
    tasks: [],
  },
  {
    id: 'c-busy',
    name: 'Sam Okafor',
    timezone: 'Europe/Berlin',
    currency: 'EUR',
    locale: 'de-DE',
    description: 'A busy practice: 120 upcoming consultations (shown as 99+), euros, German formatting.',
    families: Array.from({ length: 12 }, (_, i) => `Family ${String.fromCharCode(65 + i)}.`),
    active: [[-15 * MIN, 60 * MIN]],
    upcoming: Array.from({ length: 120 }, (_, i): [number, number] => [HOUR + i * 3 * HOUR, 50 * MIN]),
    completed: 40,
    monthPayments: [640_000, 410_000, 234_000],
    earlierPayments: [500_000],
    messages: [
      [-4 * HOUR, true, 'Danke für die Sitzung!'],
      [-2 * HOUR, true, 'Können wir den Termin verschieben?'],
      [-70 * MIN, true, 'Hier sind die Unterlagen.'],
      [-30 * MIN, false, 'Eine kurze Frage zu morgen.'],
      [-5 * MIN, false, 'Wir verspäten uns etwas.'],
    ],
    tasks: [
      [0, false, 'Rechnungen prüfen'],
      [0, false, 'Rückruf Familie C.'],
      [0, false, 'Berichte schreiben'],
    ],
  },
  {
    id: 'c-other',
    name: 'Jordan Lee',
    timezone: 'Europe/London',
    currency: 'GBP',
    locale: 'en-GB',
    description: 'An ordinary practice in London, in pounds.',
    families: ['The Wright family', 'The Evans family', 'The Hughes family'],
    active: [],
    upcoming: [
      [3 * HOUR, 50 * MIN],
      [2 * DAY, 50 * MIN],
    ],
    completed: 5,
    monthPayments: [120_000, 120_000],
    earlierPayments: [90_000],
    messages: [
      [-6 * HOUR, true, 'Thanks, see you next week.'],
      [-2 * HOUR, true, 'Running five minutes late.'],
      [-40 * MIN, false, 'Could you send the worksheet again?'],
    ],
    tasks: [[0, false, 'Update care plan']],
  },
];

const INSERT = {
  consultant:
    'INSERT INTO consultants (id, name, timezone, currency, locale, description) VALUES (?, ?, ?, ?, ?, ?)',
  family: 'INSERT INTO families (id, name) VALUES (?, ?)',
  associate: 'INSERT INTO consultant_families (consultant_id, family_id, associated_at) VALUES (?, ?, ?)',
  consultation: `INSERT INTO consultations (id, consultant_id, family_id, title, starts_at, ends_at, status, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  payment:
    'INSERT INTO payments (id, consultant_id, family_id, amount_minor, currency, paid_at) VALUES (?, ?, ?, ?, ?, ?)',
  message:
    'INSERT INTO messages (id, consultant_id, family_id, body, sent_at, read_at) VALUES (?, ?, ?, ?, ?, ?)',
  task: 'INSERT INTO tasks (id, consultant_id, title, due_date, created_at, completed_at) VALUES (?, ?, ?, ?, ?, ?)',
} as const;

/**
 * Seeds the demo consultants unless the database was seeded before; call inside the setup
 * transaction. Returns true if it did.
 */
export async function seed(tx: Sql, clock: Clock): Promise<boolean> {
  if (await readMeta(tx, 'seeded')) return false;
  const now = clock.now();
  for (const s of SEEDS) {
    const short = s.id.replace(/^c-/, '');
    await tx.run(INSERT.consultant, [s.id, s.name, s.timezone, s.currency, s.locale, s.description]);
    const families: string[] = [];
    for (const [i, name] of s.families.entries()) {
      const id = `f-${short}-${i + 1}`;
      await tx.run(INSERT.family, [id, name]);
      await tx.run(INSERT.associate, [s.id, id, now - (60 - i) * DAY]);
      families.push(id);
    }
    const familyAt = (i: number): string => families[i % families.length]!;
    let k = 0;
    const consultation = async (start: number, duration: number, status: string): Promise<void> => {
      const n = k++;
      await tx.run(INSERT.consultation, [
        `k-${short}-${n + 1}`,
        s.id,
        familyAt(n),
        TITLES[n % TITLES.length]!,
        now + start,
        now + start + duration,
        status,
        now - 30 * DAY,
      ]);
    };
    for (const [start, duration] of s.active) await consultation(start, duration, 'active');
    for (const [start, duration] of s.upcoming) await consultation(start, duration, 'scheduled');
    for (let i = 0; i < s.completed; i++)
      await consultation(-(i + 1) * DAY - 3 * HOUR, 50 * MIN, 'completed');
    if (families.length > 0) await consultation(-2 * DAY, 50 * MIN, 'cancelled');

    // This month's payments fall between the local month's first instant and now, so the
    // month's revenue is exact even on the 1st at one minute past midnight.
    const today = localDate(now, s.timezone);
    const month = monthRange(today, s.timezone);
    const span = now - month.from;
    for (const [i, amount] of s.monthPayments.entries()) {
      const at = month.from + Math.floor((span * (i + 1)) / (s.monthPayments.length + 1));
      await tx.run(INSERT.payment, [`p-${short}-${i + 1}`, s.id, familyAt(i), amount, s.currency, at]);
    }
    for (const [i, amount] of s.earlierPayments.entries()) {
      const at = month.from - (i + 1) * 3 * DAY;
      await tx.run(INSERT.payment, [`p-${short}-e${i + 1}`, s.id, familyAt(i), amount, s.currency, at]);
    }
    for (const [i, [offset, read, text]] of s.messages.entries()) {
      const at = now + offset;
      await tx.run(INSERT.message, [
        `m-${short}-${i + 1}`,
        s.id,
        familyAt(i),
        text,
        at,
        read ? at + 10 * MIN : null,
      ]);
    }
    for (const [i, [days, done, title]] of s.tasks.entries()) {
      await tx.run(INSERT.task, [
        `t-${short}-${i + 1}`,
        s.id,
        title,
        addDays(today, days),
        now - DAY,
        done ? now : null,
      ]);
    }
  }
  await keepMeta(tx, 'seeded', String(now));
  return true;
}

/** Rows per multi-row INSERT when adding load-test consultants. */
const CHUNK = 500;

/**
 * Extra consultants `c-load-0` .. `c-load-{n-1}` for load tests (`FG_LOAD_CONSULTANTS`):
 * ordinary empty dashboards in UTC, added on any start where they are missing. Call inside
 * the setup transaction.
 */
export async function seedLoadConsultants(tx: Sql, n: number): Promise<void> {
  for (let from = 0; from < n; from += CHUNK) {
    const count = Math.min(CHUNK, n - from);
    const values: string[] = [];
    const params: string[] = [];
    for (let i = from; i < from + count; i++) {
      values.push("(?, ?, 'UTC', 'USD', 'en-US', 'A load-test consultant')");
      params.push(`c-load-${i}`, `Load ${i}`);
    }
    await tx.run(
      `INSERT INTO consultants (id, name, timezone, currency, locale, description)
       VALUES ${values.join(', ')} ON CONFLICT DO NOTHING`,
      params,
    );
  }
}
