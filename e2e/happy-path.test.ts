// The story's acceptance criteria 1-5 and happy-path scenarios 1-5: each change made "by a
// family in a separate session" shows on the consultant's open dashboard, without a reload.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { DemoApi } from './support/api.js';
import { launchChromium, listItems, openDashboard, statText } from './support/browser.js';
import { LatencyLog, WAIT_MS } from './support/latency.js';
import { startServerProcess, type ServerProcess } from './support/server.js';

const CONSULTANT = 'c-story';

describe('happy path (Chromium)', () => {
  let server: ServerProcess;
  let browser: Browser;
  let page: Page;
  let api: DemoApi;
  let navigations = 0;
  const latency = new LatencyLog(import.meta.filename);

  /** Runs a family's action and measures until the page shows its effect. */
  async function expectOnPage(scenario: string, act: () => Promise<unknown>, shown: () => Promise<boolean>) {
    const started = performance.now();
    await act();
    const deadline = started + WAIT_MS;
    while (!(await shown())) {
      assert.ok(performance.now() < deadline, `${scenario}: not shown within ${WAIT_MS} ms`);
      await page.evaluate(() => new Promise(requestAnimationFrame));
    }
    latency.record(scenario, performance.now() - started);
  }

  before(async () => {
    server = await startServerProcess();
    api = new DemoApi(server.url);
    browser = await launchChromium();
    const context = await browser.newContext();
    page = await openDashboard(context, server.url, CONSULTANT);
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations++;
    });
  });

  after(async () => {
    latency.write();
    await browser?.close();
    await server?.stop();
  });

  it('Happy 1: opening the dashboard loads the initial data', async () => {
    assert.equal(await statText(page, 'Family Clients'), '6');
    assert.equal(await statText(page, 'Active Consultations'), '2');
    assert.match(await statText(page, 'Monthly Revenue'), /\$5,000/);
    const welcome = await page.getByRole('region', { name: 'Welcome' }).innerText();
    assert.match(welcome, /Maya Chen/);
    assert.match(welcome, /\$5,000/);
    assert.equal((await listItems(page, 'Upcoming Consultations')).length, 5);
  });

  it('Happy 1: the page does not move while it loads (no layout shift from the first paint on)', async () => {
    // Every shift since the page opened, as the browser buffered them.
    const shifts = await page.evaluate(() => {
      const observer = new PerformanceObserver(() => {});
      observer.observe({ type: 'layout-shift', buffered: true });
      const entries = observer.takeRecords() as unknown as { value: number; sources?: { node?: Node }[] }[];
      observer.disconnect();
      return entries.map((e) => `${e.value} ${e.sources?.map((s) => s.node?.nodeName).join(',')}`);
    });
    assert.deepEqual(shifts, []);
  });

  it('AC1 / Happy 2: a booking appears in Upcoming Consultations and the count goes 3 -> 4', async () => {
    const banner = page.getByRole('region', { name: 'Welcome' });
    assert.match(await banner.innerText(), /\b3 upcoming/i);
    await expectOnPage(
      'booking appears',
      () =>
        api.simulate(CONSULTANT, { action: 'book', startsInSeconds: 600, familyName: 'The Okonkwo family' }),
      async () => (await listItems(page, 'Upcoming Consultations')).some((t) => t.includes('Okonkwo')),
    );
    assert.match(await banner.innerText(), /\b4 upcoming/i);
  });

  it('AC4 / Happy 3: a message appears in Recent Messages and unread goes 0 -> 1', async () => {
    const badge = page
      .getByRole('status', { name: /Unread messages/ })
      .or(page.getByLabel(/Unread messages/));
    assert.match(
      (await badge.first().getAttribute('aria-label')) ?? (await badge.first().innerText()),
      /\b0\b/,
    );
    await expectOnPage(
      'message appears',
      () =>
        api.simulate(CONSULTANT, {
          action: 'message',
          familyName: 'The Haddads',
          text: 'Can we move Friday?',
        }),
      async () => (await listItems(page, 'Recent Messages'))[0]?.includes('Can we move Friday?') ?? false,
    );
    assert.match((await badge.first().getAttribute('aria-label')) ?? '', /\b1\b/);
  });

  it('AC2 / Happy 4: a consultation reaching its start time turns Active and the count goes 2 -> 3', async () => {
    const snapshot = await api.snapshot(CONSULTANT);
    const next = snapshot.upcoming.find((item) => item.status === 'scheduled');
    assert.ok(next, 'a scheduled consultation to start');
    const now = await api.now();
    await expectOnPage(
      'consultation starts',
      () => api.advanceClock(Date.parse(next.startsAt) - now + 1_000),
      async () => (await statText(page, 'Active Consultations')) === '3',
    );
    const items = await listItems(page, 'Upcoming Consultations');
    const row = items.find((t) => t.includes(next.familyName));
    assert.ok(row && /Active/.test(row), `the started item shows Active: ${row}`);
  });

  it('AC3 / Happy 5: a payment updates Monthly Revenue in the banner and the stats card', async () => {
    await expectOnPage(
      'payment updates revenue',
      () => api.simulate(CONSULTANT, { action: 'payment', amountMinor: 25_000 }),
      async () => /\$5,250/.test(await statText(page, 'Monthly Revenue')),
    );
    assert.match(await page.getByRole('region', { name: 'Welcome' }).innerText(), /\$5,250/);
  });

  it('AC5: a new family association takes Family Clients 6 -> 7', async () => {
    await expectOnPage(
      'family associates',
      () => api.simulate(CONSULTANT, { action: 'associate-family', familyName: 'The Lindqvists' }),
      async () => (await statText(page, 'Family Clients')) === '7',
    );
  });

  it('all six components update: tasks badge and completed count too', async () => {
    const tasks = page.getByLabel(/Tasks due today/).first();
    const before = Number(/(\d+)/.exec((await tasks.getAttribute('aria-label')) ?? '')?.[1]);
    await expectOnPage(
      'task added',
      () => api.simulate(CONSULTANT, { action: 'add-task', title: 'Send notes', dueInDays: 0 }),
      async () => ((await tasks.getAttribute('aria-label')) ?? '').includes(String(before + 1)),
    );
    const completedBefore = Number(await statText(page, 'Completed Consultations'));
    await expectOnPage(
      'consultation completed',
      () => api.simulate(CONSULTANT, { action: 'complete-consultation' }),
      async () => Number(await statText(page, 'Completed Consultations')) === completedBefore + 1,
    );
  });

  it('never reloads the page, and the page never threw', async () => {
    assert.equal(navigations, 0);
    assert.deepEqual((page as Page & { uncaught: string[] }).uncaught, []);
  });
});
