// The story's "no memory leaks during long sessions (test 2+ hours)", and a session's token
// renewed on the way: two hours of the page's clock and the server's, an event a minute.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { SimulateBody } from './support/api.js';
import { launchChromium } from './support/browser.js';
import { openLongSession } from './support/long-session.js';

describe('a long session (Chromium)', () => {
  let browser: Browser;

  before(async () => {
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
  });

  it('two hours open, an event a minute: its hour-long token is renewed without a reconnect, and the heap and the page stay the size they were', async () => {
    const session = await openLongSession(browser, 'c-story');
    after(() => session.close());
    const { api, page, sockets, statuses } = session;
    const cdp = await session.context.newCDPSession(page);
    const measure = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      const { usedSize } = await cdp.send('Runtime.getHeapUsage');
      // The dashboard's nodes, through its shadow roots (a function held as a member: the
      // test's compiler would name a local one, calling a `__name` the page does not have).
      const inside = await page.evaluate(() => {
        const f: { count?: (root: Node) => number } = {};
        f.count = (root: Node): number => {
          let n = 1;
          for (const c of root.childNodes) n += f.count!(c);
          if (root instanceof Element && root.shadowRoot) n += f.count!(root.shadowRoot);
          return n;
        };
        return f.count(document.querySelector('fg-dashboard')!);
      });
      return { heap: usedSize, nodes: inside };
    };
    const events: SimulateBody[] = [
      { action: 'message', familyName: 'The Long family', text: 'Still here' },
      { action: 'book', startsInSeconds: 6 * 3600, familyName: 'The Later family' },
      { action: 'payment', amountMinor: 2_500 },
      { action: 'add-task' },
      { action: 'associate-family', familyName: 'The Newer family' },
    ];
    const minutes = async (from: number, to: number) => {
      for (let at = from; at < to; at++) {
        await session.minute();
        await api.simulate('c-story', events[at % events.length]!);
      }
    };
    // Ten minutes first: whatever is made once (formats, caches, rows) is made by then.
    await minutes(0, 10);
    const start = await measure();
    await minutes(10, 120);
    const snapshot = await api.snapshot('c-story');
    await session.untilSeq(snapshot.seq);
    const end = await measure();
    // Bounded: what it keeps of the past (latency windows, recent events) fills up and stays.
    assert.ok(end.heap - start.heap < 1_000_000, `heap ${start.heap} -> ${end.heap} B`);
    // Rows are reused and taken down: 110 events leave no nodes behind.
    assert.ok(Math.abs(end.nodes - start.nodes) < 20, `nodes ${start.nodes} -> ${end.nodes}`);
    // Live all along; the token, good for an hour, was renewed on a new WebSocket each time,
    // each taking over from the last without a reconnect, a gap or a resync.
    const { status, counters } = await session.client();
    assert.deepEqual([...statuses, status], ['live', 'live']);
    assert.ok(sockets.length >= 2, `${sockets.length} WebSockets`);
    assert.deepEqual(
      [counters.reconnects, counters.gaps, counters.resyncs, counters.duplicates],
      [0, 0, 0, 0],
      JSON.stringify(counters),
    );
    const shown = await page.evaluate(
      () =>
        (
          document.querySelector('fg-dashboard-provider') as unknown as {
            client: { state: { snapshot: { counts: unknown; revenue: unknown } | null } };
          }
        ).client.state.snapshot,
    );
    assert.deepEqual([shown?.counts, shown?.revenue], [snapshot.counts, snapshot.revenue]);
  });
});
