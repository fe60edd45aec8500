import assert from 'node:assert/strict';
import { afterEach, describe, it, mock } from 'node:test';
import { ManualClock, SystemClock } from '../src/clock.js';
import { addDays, localDate, monthRange, startOfLocalDay } from '../src/time.js';

describe('ManualClock', () => {
  it('fires due timers in time order, each at its own instant, and only those due', () => {
    const clock = new ManualClock(1_000);
    const fired: [string, number][] = [];
    clock.setTimer(3_000, () => fired.push(['c', clock.now()]));
    clock.setTimer(2_000, () => fired.push(['a', clock.now()]));
    clock.setTimer(2_000, () => fired.push(['b', clock.now()]));
    clock.setTimer(9_000, () => fired.push(['late', clock.now()]));
    assert.equal(clock.advance(2_500), 3_500);
    assert.deepEqual(fired, [
      ['a', 2_000],
      ['b', 2_000],
      ['c', 3_000],
    ]);
    assert.equal(clock.pending(), 1);
  });

  it('honours timers set by a firing timer within the same move', () => {
    const clock = new ManualClock(0);
    const fired: number[] = [];
    clock.setTimer(10, () => {
      fired.push(clock.now());
      clock.setTimer(20, () => fired.push(clock.now()));
      clock.setTimer(500, () => fired.push(clock.now()));
    });
    clock.set(100);
    assert.deepEqual(fired, [10, 20]);
    assert.equal(clock.now(), 100);
  });

  it('never fires a cleared timer', () => {
    const clock = new ManualClock(0);
    let fired = false;
    const handle = clock.setTimer(10, () => (fired = true));
    clock.clearTimer(handle);
    clock.advance(100);
    assert.equal(fired, false);
  });

  it('moving backwards fires nothing', () => {
    const clock = new ManualClock(1_000);
    let fired = false;
    clock.setTimer(1_500, () => (fired = true));
    clock.set(500);
    assert.equal(fired, false);
    assert.throws(() => clock.advance(-1), RangeError);
  });
});

describe('SystemClock', () => {
  const MINUTE = 60_000;
  /** Where the mocked wall clock starts. */
  const T0 = Date.UTC(2026, 10, 27);
  afterEach(() => mock.timers.reset());

  /** The wall clock, stepped by hand; Node's timers, moved by hand with `tick` (which moves the wall clock too). */
  let wall = T0;
  const tick = (ms: number) => {
    wall += ms;
    mock.timers.tick(ms);
  };
  const mocked = () => {
    wall = T0;
    mock.timers.enable({ apis: ['setTimeout'] });
    return new SystemClock(() => wall);
  };

  it('fires a timer when the wall clock reaches its time, not before', () => {
    const clock = mocked();
    let fired = 0;
    clock.setTimer(T0 + 30 * MINUTE, () => fired++);
    tick(30 * MINUTE - 1);
    assert.equal(fired, 0);
    tick(1);
    assert.equal(fired, 1);
  });

  it('follows a wall clock stepped forward (a suspended machine): the timer fires within a minute', () => {
    const clock = mocked();
    let fired = 0;
    clock.setTimer(T0 + 30 * MINUTE, () => fired++);
    wall = T0 + 2 * 60 * MINUTE;
    tick(MINUTE);
    assert.equal(fired, 1);
  });

  it('follows a wall clock stepped back: the timer waits for the wall clock', () => {
    const clock = mocked();
    let fired = 0;
    clock.setTimer(T0 + 30 * MINUTE, () => fired++);
    tick(10 * MINUTE);
    wall = T0 - 10 * MINUTE;
    tick(30 * MINUTE);
    assert.equal(fired, 0, 'the wall clock says 20 min');
    tick(20 * MINUTE);
    assert.equal(fired, 1);
  });

  it('never fires a cleared timer', () => {
    const clock = mocked();
    let fired = 0;
    clock.clearTimer(clock.setTimer(T0 + 3 * MINUTE, () => fired++));
    tick(10 * MINUTE);
    assert.equal(fired, 0);
  });
});

describe('time zone arithmetic', () => {
  it('gives the local date of an instant', () => {
    // 03:30 UTC on 15 March is still 14 March in New York, already 15 March in Berlin.
    const t = Date.UTC(2025, 2, 15, 3, 30);
    assert.equal(localDate(t, 'America/New_York'), '2025-03-14');
    assert.equal(localDate(t, 'Europe/Berlin'), '2025-03-15');
  });

  it('finds local midnight across daylight-saving changes', () => {
    assert.equal(startOfLocalDay('2025-03-14', 'America/New_York'), Date.UTC(2025, 2, 14, 4));
    assert.equal(startOfLocalDay('2025-03-09', 'America/New_York'), Date.UTC(2025, 2, 9, 5)); // EST until 02:00
    assert.equal(startOfLocalDay('2025-03-10', 'America/New_York'), Date.UTC(2025, 2, 10, 4)); // EDT
    assert.equal(startOfLocalDay('2025-03-30', 'Europe/London'), Date.UTC(2025, 2, 30, 0));
    assert.equal(startOfLocalDay('2025-03-31', 'Europe/London'), Date.UTC(2025, 2, 30, 23));
    // Where midnight itself is skipped, the day starts at the first instant that exists.
    assert.equal(startOfLocalDay('2018-11-04', 'America/Sao_Paulo'), Date.UTC(2018, 10, 4, 3));
  });

  it('gives the local month as a range of instants, and calendar arithmetic', () => {
    const range = monthRange('2025-03-14', 'America/New_York');
    assert.equal(range.month, '2025-03');
    assert.equal(range.from, Date.UTC(2025, 2, 1, 5));
    assert.equal(range.to, Date.UTC(2025, 3, 1, 4));
    assert.equal(monthRange('2025-12-31', 'Europe/Berlin').to, Date.UTC(2025, 11, 31, 23));
    assert.equal(addDays('2025-02-28', 1), '2025-03-01');
    assert.equal(addDays('2024-12-31', 1), '2025-01-01');
  });
});
