import { expect } from '@open-wc/testing';
import { timers, type Clock } from '../runtime.js';
import { ManualClock } from '../test/manual-clock.js';
import { WAKE_TICK_MS, createWatchdog } from './watchdog.js';

/**
 * A watchdog on a manual clock whose wall time can be set back (its timers still run on
 * time, as a browser's do) or jump as the machine sleeps, counting the timers it sets by
 * name, the silences it reports and the wakes it tells.
 */
function setup(allowedMs: number) {
  const manual = new ManualClock();
  let allowed = allowedMs;
  let behind = 0;
  let silences = 0;
  let wakes = 0;
  const timersSet = { watchdog: 0, wake: 0 };
  const clock: Clock = {
    now: () => manual.now() - behind,
    setTimeout: manual.setTimeout,
    clearTimeout: manual.clearTimeout,
  };
  const named = timers<'watchdog' | 'wake'>(clock);
  const watchdog = createWatchdog(
    clock,
    {
      ...named,
      _after: (name, ms, callback) => {
        timersSet[name]++;
        named._after(name, ms, callback);
      },
    },
    () => allowed,
    () => silences++,
    () => wakes++,
  );
  return {
    watchdog,
    named,
    manual,
    get silences() {
      return silences;
    },
    get wakes() {
      return wakes;
    },
    /** The silence timers set (`watchdog`), apart from the watchdog's look at the clock (`wake`). */
    get timersSet() {
      return timersSet.watchdog;
    },
    /** The connection now allows this much silence. */
    allow: (ms: number) => (allowed = ms),
    advance: (ms: number) => manual.advance(ms),
    /** The wall clock goes back by `ms` (corrected by the system, or by hand). */
    setBack: (ms: number) => (behind += ms),
  };
}

/** Expects the watchdog to report the silence in `ms`, not a moment sooner. */
async function expectSilenceIn(t: ReturnType<typeof setup>, ms: number): Promise<void> {
  const before = t.silences;
  await t.advance(ms - 1);
  expect(t.silences, `not before ${ms} ms`).to.equal(before);
  await t.advance(1);
  expect(t.silences, `at ${ms} ms`).to.equal(before + 1);
}

describe('createWatchdog', () => {
  it('never sets a timer longer than a browser keeps (2^31 - 1 ms): a longer one fires at once, again and again', () => {
    const clock = new ManualClock();
    const named = timers<'watchdog' | 'wake'>(clock);
    const delays: number[] = [];
    const watchdog = createWatchdog(
      clock,
      {
        ...named,
        _after: (name, ms, callback) => {
          if (name === 'watchdog') delays.push(ms);
          named._after(name, ms, callback);
        },
      },
      () => 2 ** 31 + 10_000, // a server's heartbeat of 2^31 ms, and its grace
      () => {},
    );
    watchdog.heard();
    expect(delays).to.deep.equal([2 ** 31 - 1]);
  });

  it('reports the silence once nothing has been heard for as long as allowed, and not again before a frame', async () => {
    const t = setup(10_000);
    t.watchdog.heard();
    await expectSilenceIn(t, 10_000);
    await t.advance(60_000);
    expect(t.silences).to.equal(1);
    t.watchdog.heard();
    await expectSilenceIn(t, 10_000);
  });

  it('counts the silence from the last frame, not the first', async () => {
    const t = setup(10_000);
    t.watchdog.heard();
    await t.advance(6_000);
    t.watchdog.heard();
    await expectSilenceIn(t, 10_000);
  });

  it('sets no timer per frame: one per allowed silence, however many frames come', async () => {
    const t = setup(10_000);
    for (let i = 0; i < 180; i++) {
      t.watchdog.heard();
      await t.advance(50);
    }
    expect(t.timersSet).to.equal(1);
    // The timer runs, finds a recent frame, and waits again for what is left.
    await t.advance(1_000);
    expect(t.timersSet).to.equal(2);
    expect(t.silences).to.equal(0);
  });

  it('is set again, sooner, when the connection now allows less silence than the timer was set for', async () => {
    const t = setup(40_000); // long-polling
    t.watchdog.heard();
    await t.advance(1_000);
    t.allow(10_000); // a climb to WebSocket
    t.watchdog.heard();
    expect(t.timersSet).to.equal(2);
    t.watchdog.heard();
    expect(t.timersSet, 'only once').to.equal(2);
    await expectSilenceIn(t, 10_000);
  });

  it('waits as long as the connection allows when the timer runs, if that is more than it was set for', async () => {
    const t = setup(10_000);
    t.watchdog.heard();
    t.allow(40_000); // told without a frame, as a follower is by the leader's status
    await expectSilenceIn(t, 40_000);
  });

  it('counts a last frame in the future (the wall clock went back) from now', async () => {
    const t = setup(10_000);
    t.watchdog.heard();
    t.setBack(3_600_000);
    // The first look at the clock, 5 s on, finds the last frame ahead of it, and counts from then.
    await expectSilenceIn(t, WAKE_TICK_MS + 10_000);
    // How long it has been quiet counts from now too.
    t.watchdog.heard();
    t.setBack(3_600_000);
    expect(t.watchdog.quiet()).to.equal(0);
    await t.advance(4_000);
    expect(t.watchdog.quiet()).to.equal(4_000);
  });

  it('looks at the clock every 5 s while frames come, and stops with the silence it tells', async () => {
    const t = setup(25_000);
    t.watchdog.heard();
    expect(t.manual.pending).to.deep.equal([WAKE_TICK_MS, 25_000]);
    await t.advance(WAKE_TICK_MS);
    expect(t.manual.pending).to.deep.equal([WAKE_TICK_MS, 20_000]);
    await expectSilenceIn(t, 20_000);
    expect(t.manual.pending, 'no timer left').to.deep.equal([]);
    expect(t.wakes).to.equal(0);
  });

  it('after a sleep with its timers paused (whatwg/html#6759), tells the silence within 5 s of waking, not when the silence timer would have run', async () => {
    const t = setup(25_000);
    t.watchdog.heard();
    await t.advance(1_000);
    t.manual.sleep(3 * 3_600_000);
    // The tick had 4 s left when the machine slept; the silence timer, 24 s.
    await expectSilenceIn(t, WAKE_TICK_MS - 1_000);
    await t.advance(60_000);
    expect(t.silences, 'once').to.equal(1);
    expect(t.wakes, 'the silence says it all').to.equal(0);
  });

  it('after a sleep whose timers all fire at once on waking, tells the silence once, at once', async () => {
    const t = setup(25_000);
    t.watchdog.heard();
    await t.advance(1_000);
    t.manual.sleep(3 * 3_600_000, false);
    await t.advance(0);
    expect(t.silences).to.equal(1);
    await t.advance(60_000);
    expect(t.silences, 'once').to.equal(1);
    expect(t.manual.pending).to.deep.equal([]);
  });

  it('tells a wake when a tick comes more than a step late with frames heard since (a short sleep), once per late tick', async () => {
    const t = setup(25_000);
    for (let i = 0; i < 60; i++) {
      t.watchdog.heard();
      await t.advance(1_000);
    }
    expect(t.wakes, 'ticks on time').to.equal(0);
    t.manual.sleep(WAKE_TICK_MS); // late by exactly one step: still within what a busy page may do
    await t.advance(WAKE_TICK_MS);
    expect(t.wakes).to.equal(0);
    t.manual.sleep(8_000);
    t.watchdog.heard(); // a frame on waking
    await t.advance(WAKE_TICK_MS);
    expect(t.wakes).to.equal(1);
    t.watchdog.heard();
    await t.advance(WAKE_TICK_MS * 3);
    expect(t.wakes, 'on time again').to.equal(1);
    expect(t.silences).to.equal(0);
  });

  it('tells how long nothing has been heard', async () => {
    const t = setup(10_000);
    t.watchdog.heard();
    await t.advance(2_500);
    expect(t.watchdog.quiet()).to.equal(2_500);
    t.watchdog.heard();
    expect(t.watchdog.quiet()).to.equal(0);
  });

  it('runs on the timers named `watchdog` and `wake`: clearing them stops the watchdog until the next frame', async () => {
    const t = setup(10_000);
    t.watchdog.heard();
    t.named._clear('watchdog', 'wake');
    await t.advance(60_000);
    expect(t.silences).to.equal(0);
    t.watchdog.heard();
    await expectSilenceIn(t, 10_000);
  });
});
