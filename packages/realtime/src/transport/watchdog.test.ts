import { expect } from '@open-wc/testing';
import { timers, type Clock } from '../runtime.js';
import { ManualClock } from '../test/manual-clock.js';
import { createWatchdog } from './watchdog.js';

/**
 * A watchdog on a manual clock whose wall time can be set back (its timers still run on
 * time, as a browser's do), counting the timers it sets and the silences it reports.
 */
function setup(allowedMs: number) {
  const manual = new ManualClock();
  let allowed = allowedMs;
  let behind = 0;
  let silences = 0;
  let timersSet = 0;
  const clock: Clock = {
    now: () => manual.now() - behind,
    setTimeout: (callback, ms) => {
      timersSet++;
      return manual.setTimeout(callback, ms);
    },
    clearTimeout: manual.clearTimeout,
  };
  const named = timers<'watchdog'>(clock);
  const watchdog = createWatchdog(
    clock,
    named,
    () => allowed,
    () => silences++,
  );
  return {
    watchdog,
    named,
    get silences() {
      return silences;
    },
    get timersSet() {
      return timersSet;
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
    // The timer runs after 10 s, finds the last frame ahead of the clock, and counts from then.
    await expectSilenceIn(t, 20_000);
    // How long it has been quiet counts from now too.
    t.watchdog.heard();
    t.setBack(3_600_000);
    expect(t.watchdog.quiet()).to.equal(0);
    await t.advance(4_000);
    expect(t.watchdog.quiet()).to.equal(4_000);
  });

  it('tells how long nothing has been heard', async () => {
    const t = setup(10_000);
    t.watchdog.heard();
    await t.advance(2_500);
    expect(t.watchdog.quiet()).to.equal(2_500);
    t.watchdog.heard();
    expect(t.watchdog.quiet()).to.equal(0);
  });

  it('runs on the timer named `watchdog`: clearing it stops the watchdog until the next frame', async () => {
    const t = setup(10_000);
    t.watchdog.heard();
    t.named.clear('watchdog');
    await t.advance(60_000);
    expect(t.silences).to.equal(0);
    t.watchdog.heard();
    await expectSilenceIn(t, 10_000);
  });
});
