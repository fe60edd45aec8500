// Edge cases 2, 3 and 5, large numbers, AC7 and AC8 / happy path 6: zero state, a large
// dataset, a background tab, counts above 99, the user's scroll position, and a long session.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { DemoApi } from './support/api.js';
import {
  launchChromium,
  listItems,
  openDashboard,
  pageSnapshot,
  statText,
  untilSeq,
} from './support/browser.js';
import { moneyText } from './support/format.js';
import { LatencyLog } from './support/latency.js';
import { openLongSession } from './support/long-session.js';
import { startServerProcess, type ServerProcess } from './support/server.js';

describe('edge cases (Chromium)', () => {
  let server: ServerProcess;
  let browser: Browser;
  let api: DemoApi;
  const latency = new LatencyLog(import.meta.filename);

  async function open(consultantId: string, viewport?: { width: number; height: number }): Promise<Page> {
    const context = await browser.newContext(viewport ? { viewport } : {});
    return openDashboard(context, server.url, consultantId);
  }

  before(async () => {
    server = await startServerProcess();
    api = new DemoApi(server.url);
    browser = await launchChromium();
  });

  after(async () => {
    latency.write();
    await browser?.close();
    await server?.stop();
  });

  it('Edge 2: zero state shows empty states without errors, and the first update replaces them', async () => {
    const page = await open('c-empty');
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    assert.equal(await statText(page, 'Family Clients'), '0');
    assert.deepEqual(await listItems(page, 'Upcoming Consultations'), []);
    assert.deepEqual(await listItems(page, 'Recent Messages'), []);
    assert.equal(await page.getByText('No upcoming consultations').count(), 1);
    const started = performance.now();
    const { seq } = await api.simulate('c-empty', {
      action: 'book',
      startsInSeconds: 900,
      familyName: 'The First family',
    });
    await untilSeq(page, seq);
    latency.record('first booking replaces the empty state', performance.now() - started);
    const items = await listItems(page, 'Upcoming Consultations');
    assert.equal(items.length, 1);
    assert.match(items[0]!, /The First family/);
    assert.equal(await page.getByText('No upcoming consultations').count(), 0);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('Edge 3: with 50 consultations, updating one re-renders only that item', async () => {
    for (let i = 0; i < 50; i++) {
      await api.simulate('c-other', {
        action: 'book',
        startsInSeconds: 600 + i * 600,
        familyName: `Family ${i}`,
      });
    }
    const page = await open('c-other');
    const snapshot = await api.snapshot('c-other');
    const target = snapshot.upcoming.find((u) => u.status === 'scheduled')!;
    await page.getByRole('list', { name: 'Upcoming Consultations' }).evaluate((list) => {
      const touched = new Set<string>();
      (window as unknown as { fgTouched: Set<string> }).fgTouched = touched;
      new MutationObserver((records) => {
        for (const record of records) {
          const node = record.target instanceof Element ? record.target : record.target.parentElement;
          const item = node?.closest('[role="listitem"], li');
          touched.add(item ? (item.textContent ?? '').trim().slice(0, 60) : `outside:${node?.nodeName}`);
        }
      }).observe(list, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    const started = performance.now();
    const { seq } = await api.simulate('c-other', {
      action: 'start-consultation',
      consultationId: target.id,
    });
    await untilSeq(page, seq);
    latency.record('one of 50 changes', performance.now() - started);
    const touched = await page.evaluate(() => [
      ...(window as unknown as { fgTouched: Set<string> }).fgTouched,
    ]);
    assert.equal(touched.length, 1, `only one item changed: ${JSON.stringify(touched)}`);
    assert.match(touched[0]!, new RegExp(target.familyName));
    await page.context().close();
  });

  it('Edge 5: a tab in the background accumulates updates and shows them all when back', async () => {
    const page = await open('c-story');
    const cdp: CDPSession = await page.context().newCDPSession(page);
    await cdp.send('Page.setWebLifecycleState', { state: 'frozen' });
    const texts = ['While away 1', 'While away 2', 'While away 3'];
    let last = 0;
    for (const text of texts)
      last = (await api.simulate('c-story', { action: 'message', familyName: 'The Away family', text })).seq;
    last = (
      await api.simulate('c-story', { action: 'associate-family', familyName: 'The Background family' })
    ).seq;
    const started = performance.now();
    await cdp.send('Page.setWebLifecycleState', { state: 'active' });
    await untilSeq(page, last);
    latency.record('background tab catches up', performance.now() - started);
    const snapshot = await api.snapshot('c-story');
    const items = await listItems(page, 'Recent Messages');
    assert.deepEqual(
      items.map((t) => texts.find((x) => t.includes(x)) ?? null),
      ['While away 3', 'While away 2', 'While away 1'],
    );
    assert.equal(await statText(page, 'Family Clients'), String(snapshot.counts.familyClients));
    await page.context().close();
  });

  it('Large numbers: a count above 99 reads "99+", keeps its exact number for screen readers, and keeps updating', async () => {
    const page = await open('c-busy');
    const fact = page.getByRole('region', { name: 'Welcome' }).locator('[part~="fact-upcoming"]');
    const shown = fact.locator('[aria-hidden="true"]');
    const spoken = fact.locator('[part="value"] .vh');
    const before = (await api.snapshot('c-busy')).counts.upcoming;
    assert.ok(before > 99, `c-busy has ${before} upcoming`);
    assert.equal(await shown.innerText(), '99+');
    assert.equal(await spoken.textContent(), String(before));
    const { seq } = await api.simulate('c-busy', {
      action: 'book',
      startsInSeconds: 3600,
      familyName: 'The Many family',
    });
    await untilSeq(page, seq);
    assert.equal(await shown.innerText(), '99+');
    assert.equal(await spoken.textContent(), String(before + 1));
    assert.equal((await api.snapshot('c-busy')).counts.upcoming, before + 1);
    await page.context().close();
  });

  it('AC7: a user scrolled down keeps their view when a consultation is added above it', async () => {
    const page = await open('c-busy', { width: 420, height: 480 });
    const list = page.getByRole('list', { name: 'Upcoming Consultations' });
    const items = list.getByRole('listitem');
    // Bring the third item to the top of the viewport, as a user would by scrolling.
    await items.nth(2).evaluate((el) => el.scrollIntoView({ block: 'start' }));
    const before = await items
      .nth(2)
      .evaluate((el) => ({ text: el.textContent, top: el.getBoundingClientRect().top }));
    const { seq } = await api.simulate('c-busy', {
      action: 'book',
      startsInSeconds: 30,
      familyName: 'The Early family',
    });
    await untilSeq(page, seq);
    const same = await list.evaluate((el, text) => {
      const root = el.getRootNode() as ShadowRoot | Document;
      const match = [...root.querySelectorAll('[role="listitem"], li')].find((li) => li.textContent === text);
      return match ? match.getBoundingClientRect().top : null;
    }, before.text);
    assert.ok(same !== null, 'the item the user was looking at is still in the list');
    assert.ok(Math.abs(same - before.top) <= 1, `it did not move (${before.top} -> ${same})`);
    await page.context().close();
  });

  it("AC8 / Happy 6: 30 minutes open, on the page's clock and the server's, an event a minute: it stays live on one connection and every widget equals the server", async () => {
    const session = await openLongSession(browser, 'c-story');
    after(() => session.close());
    const { api: ownApi, page, sockets, statuses } = session;
    const actions = [
      'book',
      'message',
      'payment',
      'associate-family',
      'add-task',
      'complete-consultation',
    ] as const;
    let created = 0;
    for (let at = 0; at < 30; at++) {
      await session.minute();
      const action = actions[at % actions.length]!;
      const body =
        action === 'book'
          ? { action, startsInSeconds: 300 + at * 60, familyName: `Minute ${at}` }
          : action === 'message'
            ? { action, familyName: 'The Long family', text: `Minute ${at}` }
            : action === 'payment'
              ? { action, amountMinor: 5_000 + at }
              : { action };
      try {
        await ownApi.simulate('c-story', body as Parameters<DemoApi['simulate']>[1]);
        created++;
      } catch (error) {
        // Only one refusal is expected: no active consultation left to complete.
        if (action !== 'complete-consultation' || !/: 404 /.test(String(error))) throw error;
      }
    }
    assert.ok(created >= 25, `the half hour made ${created} events`);
    // Half a minute more: every booking's start is then half a minute off a whole minute.
    await session.minute(4);
    const snapshot = await ownApi.snapshot('c-story');
    await session.untilSeq(snapshot.seq);
    // Live all along, on its one WebSocket: never stale, never reconnected, nothing missed.
    const { status, counters } = await session.client();
    assert.deepEqual([...statuses, status], ['live', 'live']);
    assert.equal(sockets.length, 1, sockets.join(', '));
    assert.deepEqual(
      [counters.reconnects, counters.gaps, counters.resyncs, counters.duplicates],
      [0, 0, 0, 0],
      JSON.stringify(counters),
    );
    const state = (await pageSnapshot(page)) as unknown as Record<string, unknown>;
    for (const key of ['counts', 'revenue', 'upcoming', 'recentMessages']) {
      assert.deepEqual(state[key], (snapshot as unknown as Record<string, unknown>)[key], key);
    }
    // What the person reads, widget by widget.
    const { counts, revenue } = snapshot;
    assert.equal(await statText(page, 'Family Clients'), String(counts.familyClients));
    assert.equal(await statText(page, 'Active Consultations'), String(counts.active));
    assert.equal(await statText(page, 'Completed Consultations'), String(counts.completed));
    const money = moneyText(revenue);
    assert.equal(await statText(page, 'Monthly Revenue'), money);
    const banner = await page.getByRole('region', { name: 'Welcome' }).innerText();
    assert.match(banner, new RegExp(`\\b${counts.upcoming} upcoming`, 'i'));
    assert.ok(banner.includes(money), `the banner shows ${money}: ${banner}`);
    const unread =
      (await page
        .getByLabel(/Unread messages/)
        .first()
        .getAttribute('aria-label')) ?? '';
    assert.match(unread, new RegExp(`\\b${counts.unreadMessages}\\b`));
    const tasks =
      (await page
        .getByLabel(/Tasks due today/)
        .first()
        .getAttribute('aria-label')) ?? '';
    assert.match(tasks, new RegExp(`\\b${counts.tasksDueToday}\\b`));
    const upcoming = await listItems(page, 'Upcoming Consultations');
    assert.equal(upcoming.length, snapshot.upcoming.length);
    snapshot.upcoming.forEach((u, i) =>
      assert.ok(upcoming[i]!.includes(u.familyName), `${upcoming[i]} is ${u.familyName}`),
    );
    // Times from now follow the half hour: a booking still ahead reads the minutes left.
    const now = await ownApi.now();
    snapshot.upcoming.forEach((u, i) => {
      const left = Date.parse(u.startsAt) - now;
      if (u.status === 'scheduled' && u.familyName.startsWith('Minute') && left < 3_600_000)
        assert.ok(upcoming[i]!.includes(`in ${Math.trunc(left / 60_000)} min.`), `${upcoming[i]}`);
    });
    const messages = await listItems(page, 'Recent Messages');
    assert.equal(messages.length, snapshot.recentMessages.length);
    snapshot.recentMessages.forEach((m, i) =>
      assert.ok(messages[i]!.includes(m.preview), `${messages[i]} is ${m.preview}`),
    );
  });
});
