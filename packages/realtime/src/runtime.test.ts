import { expect } from '@open-wc/testing';
import { realClock, timers, type Clock } from './runtime.js';
import { ManualClock } from './test/manual-clock.js';

describe('realClock', () => {
  it('reads the time at each call, as it sets timers: a fake clock a test installs later is used', () => {
    const real = Date.now;
    Date.now = () => 42;
    try {
      expect(realClock.now()).to.equal(42);
    } finally {
      Date.now = real;
    }
  });
});

describe('named timers', () => {
  it("hand a host's clock back only handles it made", async () => {
    const manual = new ManualClock();
    const made = new Set<unknown>();
    const clock: Clock = {
      now: manual.now,
      setTimeout: (callback, ms) => {
        const handle = manual.setTimeout(callback, ms);
        made.add(handle);
        return handle;
      },
      clearTimeout: (handle) => {
        // A clock whose handles are its own objects: anything else is a mistake.
        if (!made.has(handle)) throw new TypeError(`not a handle of this clock: ${String(handle)}`);
        manual.clearTimeout(handle);
      },
    };
    const named = timers<'a' | 'b'>(clock);
    let fired = 0;
    named._after('a', 10, () => fired++);
    named._after('a', 20, () => fired++);
    named._clear('b');
    named._clear();
    named._after('b', 5, () => fired++);
    await manual.advance(30);
    expect(fired).to.equal(1);
    expect(Object.keys(named._pending)).to.deep.equal([]);
  });
});
