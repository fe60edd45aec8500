// Writes that commit while the scheduler is between reading what is due and acting on it, as
// a request on this node or another (PostgreSQL) can: a booking must still be started on
// time, a consultation rescheduled to later must not be started, and a task added "due today"
// after local midnight belongs to the new day even before the scheduler has turned it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../src/clock.js';
import { Consultants } from '../src/db/consultants.js';
import { EventLog } from '../src/db/eventlog.js';
import { SqliteStorage } from '../src/db/sqlite.js';
import type { Sql, Storage } from '../src/db/storage.js';
import { Domain } from '../src/domain.js';
import { Projection } from '../src/projection.js';
import { Scheduler } from '../src/scheduler.js';
import { startOfLocalDay } from '../src/time.js';

const MIN = 60_000;
const T = Date.UTC(2025, 2, 14, 15);
/** The scheduler's last "next due" query: the calendars'. */
const NEXT_DAY_QUERY = 'FROM calendars ORDER BY next_day_at';

/**
 * One consultant on an in-memory database, its domain and scheduler on a manual clock.
 * `afterNextDayQuery(n, write)` runs `write` right after the n-th (from now) "next due" read
 * of the calendars has answered, before the scheduler goes on.
 */
async function harness(start: number, timezone = 'America/New_York') {
  const storage = new SqliteStorage(':memory:');
  let countdown = 0;
  let write: (() => Promise<unknown>) | undefined;
  const sql = storage.sql;
  const get = sql.get.bind(sql);
  sql.get = (async (query: string, params?: unknown[]) => {
    const row = await get(query, params as never);
    if (write && query.includes(NEXT_DAY_QUERY) && --countdown === 0) {
      const run = write;
      write = undefined;
      await run();
    }
    return row;
  }) as Sql['get'];
  const clock = new ManualClock(start);
  const consultants = new Consultants(storage as Storage, clock);
  const log = new EventLog(storage, { events: 10_000, ms: 24 * 3600_000 });
  const projection = new Projection(storage, log);
  const domain = new Domain(storage, consultants, log, projection, clock);
  await storage.setup(async (tx) => {
    await tx.run(
      "INSERT INTO consultants (id, name, timezone, currency, locale) VALUES ('c', 'C', ?, 'USD', 'en-US')",
      [timezone],
    );
    for (const row of await tx.all<Parameters<Domain['ensureConsultantState']>[1]>(
      'SELECT * FROM consultants',
    ))
      await domain.ensureConsultantState(tx, row);
  });
  const scheduler = new Scheduler(storage, domain, clock);
  // As the server does: a write about consultations may make something due sooner.
  domain.onCommit((event) => {
    if (event.kind.startsWith('consultation.')) scheduler.poke();
  });
  const consultant = (await consultants.get('c'))!;
  return {
    clock,
    domain,
    scheduler,
    snapshot: () => projection.snapshot(consultant, clock.now()),
    afterNextDayQuery(n: number, then: () => Promise<unknown>) {
      countdown = n;
      write = then;
    },
    /** Moves the clock to `at` and waits until the scheduler has done what fell due. */
    async at(at: number) {
      clock.set(at);
      await clock.settled();
      await scheduler.idle();
    },
  };
}

const subjectId = (event: { json: string }): string => JSON.parse(event.json).subject.id;

describe('scheduler: writes that race its reads', () => {
  it('a booking committed while it reads what is due next is started on time, whichever read it races', async () => {
    let raced = 0;
    // At T+10 min it starts the first booking, then reads what is due next, maybe more than
    // once: a booking for T+11 min commits right after one of those reads, each in turn.
    for (let read = 1; read <= 6; read++) {
      const h = await harness(T);
      await h.scheduler.start();
      await h.domain.book('c', { startsInSeconds: 600 });
      let late = '';
      h.afterNextDayQuery(read, async () => {
        late = subjectId(await h.domain.book('c', { startsInSeconds: 60 }));
      });
      await h.at(T + 10 * MIN);
      if (!late) continue; // it read less often than that
      raced++;
      await h.at(T + 12 * MIN);
      const item = (await h.snapshot()).upcoming.find((u) => u.id === late)!;
      assert.equal(Date.parse(item.startsAt), T + 11 * MIN);
      assert.equal(item.status, 'active', `racing read ${read}: due at T+11 min, the clock at T+12 min`);
    }
    assert.ok(raced >= 2, `the booking raced ${raced} reads`);
  });

  it('a consultation rescheduled to later after it was found due is not started', async () => {
    const h = await harness(T);
    await h.scheduler.start();
    const id = subjectId(await h.domain.book('c', { startsInSeconds: 600 }));
    h.afterNextDayQuery(1, () => h.domain.rescheduleConsultation('c', id, 24 * 3600));
    await h.at(T + 10 * MIN);
    const item = (await h.snapshot()).upcoming.find((u) => u.id === id)!;
    assert.equal(Date.parse(item.startsAt), T + 10 * MIN + 24 * 3600_000, 'rescheduled to tomorrow');
    assert.equal(item.status, 'scheduled', 'it starts tomorrow, not now');
    assert.equal((await h.snapshot()).counts.active, 0);
  });

  it('a task due today added after local midnight, before the scheduler turned the day, is due on the new day', async () => {
    const midnight = startOfLocalDay('2025-03-15', 'America/New_York');
    const h = await harness(midnight - MIN);
    await h.scheduler.start();
    // The day's turn is due at midnight and has not run yet (the scheduler busy with other
    // consultants, or waiting to retry a busy database).
    h.scheduler.stop();
    await h.at(midnight + 5_000);
    await h.domain.addTask('c', { dueInDays: 0 });
    await h.scheduler.start();
    assert.equal((await h.snapshot()).counts.tasksDueToday, 1);
  });
});
