// Edge case 1, AC6 and AC10: bursts of updates all arrive, in order, with no frame blocked
// for 50 ms or more and no layout shift.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { DemoApi } from './support/api.js';
import { launchChromium, listItems, openDashboard, statText } from './support/browser.js';
import { LatencyLog, WAIT_MS } from './support/latency.js';
import { startServerProcess, type ServerProcess } from './support/server.js';
import { traceMainThread, type MainThreadTask } from './support/trace.js';

const CONSULTANT = 'c-story';

interface Observed {
  longTasks: number[];
  layoutShift: number;
  appliedSeqs: number[];
}

describe('rapid updates (Chromium)', () => {
  let server: ServerProcess;
  let browser: Browser;
  let page: Page;
  let api: DemoApi;
  let stopTrace: () => Promise<MainThreadTask[]>;
  const latency = new LatencyLog(import.meta.filename);

  const observed = () => page.evaluate(() => (window as unknown as { fgObserved: Observed }).fgObserved);

  before(async () => {
    server = await startServerProcess();
    api = new DemoApi(server.url);
    browser = await launchChromium();
    page = await openDashboard(await browser.newContext(), server.url, CONSULTANT);
    await page.evaluate(() => {
      const seen: Observed = { longTasks: [], layoutShift: 0, appliedSeqs: [] };
      (window as unknown as { fgObserved: Observed }).fgObserved = seen;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) seen.longTasks.push(entry.duration);
      }).observe({ type: 'longtask' });
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries() as (PerformanceEntry & {
          value: number;
          hadRecentInput: boolean;
        })[]) {
          if (!entry.hadRecentInput) seen.layoutShift += entry.value;
        }
      }).observe({ type: 'layout-shift' });
      const host = document.querySelector('fg-dashboard-provider') as unknown as {
        client: {
          subscribe: (
            s: (state: { recentEvents: { seq: number }[] }) => unknown,
            l: (v: unknown) => void,
          ) => void;
        };
      };
      host.client.subscribe(
        (state) => state.recentEvents,
        (events) => seen.appliedSeqs.push(...(events as { seq: number }[]).map((e) => e.seq)),
      );
    });
    stopTrace = await traceMainThread(browser, page);
  });

  after(async () => {
    latency.write();
    await browser?.close();
    await server?.stop();
  });

  it('Edge 1: 10 updates within 5 s are all processed, in order, without freezing the UI', async () => {
    const started = performance.now();
    // All 10 at once: the server commits them one after another, as fast as it can.
    const committed = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        i % 3 === 0
          ? api.simulate(CONSULTANT, {
              action: 'book',
              startsInSeconds: 3600 + i * 60,
              familyName: `Burst ${i}`,
            })
          : i % 3 === 1
            ? api.simulate(CONSULTANT, { action: 'payment', amountMinor: 1_000 })
            : api.simulate(CONSULTANT, { action: 'associate-family', familyName: `Burst family ${i}` }),
      ),
    );
    const seqs = committed.map((c) => c.seq).sort((a, b) => a - b);
    assert.equal(seqs.at(-1)! - seqs[0]!, 9, 'ten events, one after another');
    const snapshot = await api.snapshot(CONSULTANT);
    await page.waitForFunction(
      (n) => (window as unknown as { fgObserved: Observed }).fgObserved.appliedSeqs.includes(n),
      snapshot.seq,
    );
    latency.record('10 updates in 5 s: last one shown', performance.now() - started);
    const seen = await observed();
    assert.deepEqual(
      seen.appliedSeqs.filter((s) => seqs.includes(s)),
      seqs,
      'every update applied once, in order',
    );
    assert.equal(await statText(page, 'Family Clients'), String(snapshot.counts.familyClients));
  });

  it('AC10: 3 messages within 10 s all show, newest first, and the unread count follows', async () => {
    const started = performance.now();
    for (const text of ['First question', 'Second question', 'Third question']) {
      await api.simulate(CONSULTANT, { action: 'message', familyName: 'The Parks', text });
    }
    const deadline = started + WAIT_MS;
    let items = await listItems(page, 'Recent Messages');
    while (!items[0]?.includes('Third question')) {
      assert.ok(performance.now() < deadline, `messages shown within ${WAIT_MS} ms`);
      await page.evaluate(() => new Promise(requestAnimationFrame));
      items = await listItems(page, 'Recent Messages');
    }
    latency.record('3 messages in 10 s: last one shown', performance.now() - started);
    assert.match(items[0]!, /Third question/);
    assert.match(items[1]!, /Second question/);
    assert.match(items[2]!, /First question/);
    const badge =
      (await page
        .getByLabel(/Unread messages/)
        .first()
        .getAttribute('aria-label')) ?? '';
    assert.match(badge, /\b3\b/);
  });

  it('AC6: no task of the page blocks it for 50 ms or more, and no layout shift, while updates arrive', async () => {
    const seen = await observed();
    const tasks = await stopTrace();
    assert.ok(tasks.length > 0, 'the main thread was traced');
    // A long task on the wall clock is the page's fault only if the page was running for
    // 50 ms of it; on a shared 2-core machine it may also have been waiting for a CPU.
    const blocking = tasks.filter((t) => t.cpuMs >= 50);
    assert.deepEqual(
      blocking,
      [],
      `main-thread tasks of 50 ms CPU or more (long tasks on the wall clock: ${JSON.stringify(seen.longTasks)})`,
    );
    assert.equal(seen.layoutShift, 0);
  });
});
