import { expect } from '@open-wc/testing';
import { electLeader } from './tab-leader.js';

/** Web Locks by hand: each request waits until the test grants it. */
function handLocks() {
  const requests: { options: LockOptions; grant(): Promise<unknown> }[] = [];
  const locks = {
    request(_name: string, options: LockOptions, callback: LockGrantedCallback<unknown>) {
      return new Promise((resolve) => {
        requests.push({
          options,
          grant: () => {
            const held = Promise.resolve(callback({ name: _name, mode: 'exclusive' } as Lock));
            resolve(held);
            return held;
          },
        });
      });
    },
  } as unknown as LockManager;
  return { locks, requests };
}

/** An election on hand-driven locks, counting the times this tab began to lead. */
function election() {
  const { locks, requests } = handLocks();
  const counted = { leads: 0 };
  const elected = electLeader(
    locks,
    'fg-live:test',
    () => counted.leads++,
    () => {},
    () => {},
  );
  return { elected, requests, counted };
}

describe('electLeader', () => {
  it('a lock granted after the tab gave up its place leads nothing, and goes back at once', async () => {
    const { elected, requests, counted } = election();
    // The browser has granted the lock, but the grant's task runs after the tab resigned
    // (a page restored from the back/forward cache joins the tabs anew).
    elected._resign();
    await requests[0]!.grant();
    expect(counted.leads).to.equal(0);
  });

  it('leads once when its own request and a take-over racing it are both granted', async () => {
    const { elected, requests, counted } = election();
    const taken = elected._steal();
    expect(requests.map((r) => r.options.steal ?? false)).to.deep.equal([false, true]);
    void requests[0]!.grant();
    void requests[1]!.grant();
    await taken;
    expect(counted.leads).to.equal(1);
    elected._resign();
  });
});
