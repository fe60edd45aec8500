// The story's scenarios in WebKit (Safari's engine), against the real server: a booking and
// a message appear and are announced, a payment, a new family and a consultation starting
// update their widgets, three messages in a row all show, a list scrolled down keeps its view
// (by hand: WebKit has no scroll anchoring), a page in the background stays current, the page
// recovers from a network drop, two tabs stay in sync on one connection, ten updates at once
// all reach every widget, and an expired session lands on the login page.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DemoApi } from './support/api.js';
import { LatencyLog, WAIT_MS } from './support/latency.js';
import { moneyText } from './support/format.js';
import { FaultProxy } from './support/proxy.js';
import { startServerProcess, type ServerProcess } from './support/server.js';
import { launchWebKit, type WebKitBrowser } from './support/webkit.js';

const CONSULTANT = 'c-story';

/** All text a person can see on the page, through shadow roots. */
function visibleText(): string {
  const parts: string[] = [];
  const walk = (node: Node): void => {
    if (node.nodeType === Node.TEXT_NODE) parts.push(node.textContent ?? '');
    const children =
      node instanceof Element && node.shadowRoot ? node.shadowRoot.childNodes : node.childNodes;
    for (const child of children) walk(child);
    if (node instanceof HTMLSlotElement) for (const child of node.assignedNodes()) walk(child);
  };
  walk(document.body);
  return parts.join(' ').replace(/\s+/g, ' ');
}

/** What the dashboard's polite live region says now (a screen reader reads each change). */
function announced(): string {
  const region = document
    .querySelector('fg-dashboard')
    ?.shadowRoot?.querySelector('fg-live-region')
    ?.shadowRoot?.querySelector('[aria-live="polite"]');
  return region?.textContent ?? '';
}

function clientSeq(): number {
  const host = document.querySelector('fg-dashboard-provider') as unknown as {
    client?: { status: string; state: { snapshot: { seq: number } | null } };
  };
  return host?.client?.status === 'live' ? (host.client.state.snapshot?.seq ?? -1) : -1;
}

/** The transport the page's client uses now (its own telemetry). */
function clientTransport(): string | null {
  const host = document.querySelector('fg-dashboard-provider') as unknown as {
    client?: { metrics(): { transport: string | null } };
  };
  return host?.client?.metrics().transport ?? null;
}

/** Whether this tab holds the connection or follows the one that does (its client's own telemetry). */
function clientRole(): string | null {
  const host = document.querySelector('fg-dashboard-provider') as unknown as {
    client?: { metrics(): { role: string } };
  };
  return host?.client?.metrics().role ?? null;
}

/**
 * What the element of `role` named `name` shows: its text, or (a stat card) its value's.
 * Names are read from `aria-label` or from what `aria-labelledby` points at.
 */
function shown(role: string, name: string): string | null {
  const all = (root: Document | ShadowRoot): Element[] =>
    [...root.querySelectorAll('*')].flatMap((el) => [el, ...(el.shadowRoot ? all(el.shadowRoot) : [])]);
  for (const el of all(document)) {
    if (el.getAttribute('role') !== role && !(role === 'region' && el.localName === 'section')) continue;
    const by = el.getAttribute('aria-labelledby');
    const label = by
      ? (el.getRootNode() as Document | ShadowRoot).getElementById(by)?.textContent
      : el.getAttribute('aria-label');
    if (label?.trim() !== name) continue;
    const value = role === 'group' ? el.querySelector('[part~="value"]') : el;
    return (value as HTMLElement | null)?.innerText.trim() ?? null;
  }
  return null;
}

/** The rows of the list named `name`, in order, as a person reads them. */
function rows(name: string): string[] {
  const all = (root: Document | ShadowRoot): Element[] =>
    [...root.querySelectorAll('*')].flatMap((el) => [el, ...(el.shadowRoot ? all(el.shadowRoot) : [])]);
  const list = all(document).find((el) => {
    const by = el.getAttribute('role') === 'list' && el.getAttribute('aria-labelledby');
    return by && (el.getRootNode() as ShadowRoot).getElementById(by)?.textContent?.trim() === name;
  });
  return list
    ? [...list.querySelectorAll('[role="listitem"]')].map((row) => (row as HTMLElement).innerText)
    : [];
}

/** The accessible name of the first element whose `aria-label` matches `pattern`. */
function labelled(pattern: string): string {
  const all = (root: Document | ShadowRoot): Element[] =>
    [...root.querySelectorAll('*')].flatMap((el) => [el, ...(el.shadowRoot ? all(el.shadowRoot) : [])]);
  const re = new RegExp(pattern);
  return (
    all(document)
      .find((el) => re.test(el.getAttribute('aria-label') ?? ''))
      ?.getAttribute('aria-label') ?? ''
  );
}

describe('WebKit', () => {
  let server: ServerProcess;
  let proxy: FaultProxy;
  let api: DemoApi;
  let browser: WebKitBrowser;
  let quit: () => Promise<void>;
  const latency = new LatencyLog(import.meta.filename);

  async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = WAIT_MS): Promise<number> {
    const started = performance.now();
    await browser.waitUntil(check, {
      timeout: timeoutMs,
      interval: 25,
      timeoutMsg: `${what}: not within ${timeoutMs} ms`,
    });
    return performance.now() - started;
  }

  const pageText = () => browser.execute(visibleText);
  const seq = () => browser.execute(clientSeq);
  const announcement = () => browser.execute(announced);

  async function open(url: string): Promise<void> {
    await browser.url(url);
    await waitFor(async () => (await seq()) >= 0, 'dashboard live');
  }

  before(async () => {
    server = await startServerProcess();
    proxy = await new FaultProxy(server.port).listen();
    api = new DemoApi(server.url);
    ({ browser, quit } = await launchWebKit());
    await open(`${proxy.url}/?consultant=${CONSULTANT}`);
  });

  after(async () => {
    latency.write();
    await quit?.();
    await proxy?.close();
    await server?.stop();
  });

  it("connects by WebSocket under the page's strict content security policy", async () => {
    assert.equal(await browser.execute(clientTransport), 'websocket');
  });

  it('a booking appears in Upcoming Consultations', async () => {
    const started = performance.now();
    await api.simulate(CONSULTANT, { action: 'book', startsInSeconds: 300, familyName: 'The Safari family' });
    await waitFor(async () => (await pageText()).includes('The Safari family'), 'booking shown');
    latency.record('WebKit: booking appears', performance.now() - started);
    await waitFor(
      // Five minutes before midnight (the consultant's), a booking 5 min ahead is tomorrow's.
      async () => /^New booking: The Safari family, (Today|Tomorrow), /.test(await announcement()),
      'booking announced',
    );
  });

  it('a message appears in Recent Messages', async () => {
    const started = performance.now();
    await api.simulate(CONSULTANT, {
      action: 'message',
      familyName: 'The Webkits',
      text: 'Hello from Safari land',
    });
    await waitFor(async () => (await pageText()).includes('Hello from Safari land'), 'message shown');
    latency.record('WebKit: message appears', performance.now() - started);
    await waitFor(async () => (await announcement()) === 'New message from The Webkits', 'message announced');
  });

  const stat = (name: string) => browser.execute(shown, 'group', name);

  it('AC3: a payment updates Monthly Revenue in the banner and the stats card', async () => {
    await api.simulate(CONSULTANT, { action: 'payment', amountMinor: 25_000 });
    const money = moneyText((await api.snapshot(CONSULTANT)).revenue);
    await waitFor(async () => (await stat('Monthly Revenue')) === money, `revenue card shows ${money}`);
    assert.ok((await browser.execute(shown, 'region', 'Welcome'))?.includes(money), 'the banner too');
  });

  it('AC5: a new family association takes Family Clients up by one', async () => {
    const before = Number(await stat('Family Clients'));
    await api.simulate(CONSULTANT, { action: 'associate-family', familyName: 'The Webkit Lindqvists' });
    await waitFor(async () => Number(await stat('Family Clients')) === before + 1, 'family clients');
  });

  it('AC10: 3 messages in a row all show, newest first, and the unread count follows', async () => {
    const unread = async () => Number(/(\d+)/.exec(await browser.execute(labelled, 'Unread messages'))?.[1]);
    const before = await unread();
    for (const text of ['First from Safari', 'Second from Safari', 'Third from Safari'])
      await api.simulate(CONSULTANT, { action: 'message', familyName: 'The Parks', text });
    await waitFor(async () => {
      const items = await browser.execute(rows, 'Recent Messages');
      return ['Third', 'Second', 'First'].every((word, i) => items[i]?.includes(`${word} from Safari`));
    }, 'three messages, newest first');
    assert.equal(await unread(), before + 3);
  });

  it('Edge 1: ten updates of every kind at once all reach every widget, as the server has them', async () => {
    const actions = [
      { action: 'book', startsInSeconds: 120, familyName: 'The Burst family' },
      { action: 'message', familyName: 'The Burst family', text: 'Burst one' },
      { action: 'payment', amountMinor: 1_500 },
      { action: 'associate-family', familyName: 'The Burst Lindqvists' },
      { action: 'add-task' },
      { action: 'start-consultation' },
      { action: 'message', familyName: 'The Burst family', text: 'Burst two' },
      { action: 'complete-consultation' },
      { action: 'add-task' },
      { action: 'message', familyName: 'The Burst family', text: 'Burst three' },
    ] as const;
    // All at once: the server commits them one after another, as fast as it can.
    const committed = await Promise.all(actions.map((body) => api.simulate(CONSULTANT, body)));
    const last = Math.max(...committed.map((c) => c.seq));
    await waitFor(async () => (await seq()) >= last, 'every update applied');
    const snapshot = await api.snapshot(CONSULTANT);
    assert.equal(snapshot.seq, last, 'nothing else happened meanwhile');
    const badge = async (name: string) => /: (\d+)$/.exec(await browser.execute(labelled, `^${name}: `))?.[1];
    const money = moneyText(snapshot.revenue);
    // Rendered in the frame after the last update applied.
    await waitFor(async () => (await stat('Monthly Revenue')) === money, `revenue card shows ${money}`);
    assert.deepEqual(
      {
        families: await stat('Family Clients'),
        active: await stat('Active Consultations'),
        completed: await stat('Completed Consultations'),
        tasks: await badge('Tasks due today'),
        unread: await badge('Unread messages'),
        completedBadge: await badge('Completed consultations'),
      },
      {
        families: String(snapshot.counts.familyClients),
        active: String(snapshot.counts.active),
        completed: String(snapshot.counts.completed),
        tasks: String(snapshot.counts.tasksDueToday),
        unread: String(snapshot.counts.unreadMessages),
        completedBadge: String(snapshot.counts.completed),
      },
    );
    const banner = (await browser.execute(shown, 'region', 'Welcome')) ?? '';
    assert.ok(banner.includes(money), banner);
    assert.match(banner, new RegExp(`\\b${snapshot.counts.upcoming} upcoming consultation`));
    assert.match(banner, new RegExp(`\\b${snapshot.counts.active} active consultation`));
    const upcoming = await browser.execute(rows, 'Upcoming Consultations');
    assert.equal(upcoming.length, snapshot.upcoming.length, upcoming.join(' | '));
    snapshot.upcoming.forEach((item, i) => assert.ok(upcoming[i]?.includes(item.familyName), upcoming[i]));
    const messages = await browser.execute(rows, 'Recent Messages');
    assert.deepEqual(
      messages.map((row) => /Burst (one|two|three)/.exec(row)?.[0]),
      ['Burst three', 'Burst two', 'Burst one'],
    );
  });

  it('AC7: a user scrolled down keeps their view when a consultation is added above it (no scroll anchoring in WebKit)', async () => {
    const first = await browser.getWindowHandle();
    const { handle } = await browser.createWindow('window');
    await browser.switchToWindow(handle);
    try {
      await browser.setWindowSize(420, 480);
      await open(`${proxy.url}/?consultant=c-busy`);
      await waitFor(async () => (await browser.execute(rows, 'Upcoming Consultations')).length === 5, 'rows');
      // Brings the third row to the top of the view, as a user would by scrolling; its text and place.
      const before = await browser.execute(() => {
        const all = (root: Document | ShadowRoot): Element[] =>
          [...root.querySelectorAll('*')].flatMap((el) => [el, ...(el.shadowRoot ? all(el.shadowRoot) : [])]);
        const row = all(document).filter((el) => el.getAttribute('role') === 'listitem')[2] as HTMLElement;
        row.scrollIntoView({ block: 'start' });
        return { text: row.textContent, top: row.getBoundingClientRect().top };
      });
      const { seq: booked } = await api.simulate('c-busy', {
        action: 'book',
        startsInSeconds: 30,
        familyName: 'The Early family',
      });
      await waitFor(async () => (await seq()) >= booked, 'the booking applied');
      await waitFor(
        async () => (await browser.execute(rows, 'Upcoming Consultations')).some((t) => t.includes('Early')),
        'the booking shown',
      );
      const top = await browser.execute((text: string | null) => {
        const all = (root: Document | ShadowRoot): Element[] =>
          [...root.querySelectorAll('*')].flatMap((el) => [el, ...(el.shadowRoot ? all(el.shadowRoot) : [])]);
        const row = all(document).find(
          (el) => el.getAttribute('role') === 'listitem' && el.textContent === text,
        );
        return row ? row.getBoundingClientRect().top : null;
      }, before.text);
      assert.ok(top !== null, 'the row the user was looking at is still in the list');
      assert.ok(Math.abs(top - before.top) <= 1, `it did not move (${before.top} -> ${top})`);
    } finally {
      await browser.closeWindow();
      await browser.switchToWindow(first);
    }
  });

  it('Edge 5: a tab in the background (window minimized) keeps its state current and shows it all when back', async () => {
    const visibility = () => browser.execute(() => document.visibilityState);
    const { width, height } = await browser.getWindowRect();
    await browser.minimizeWindow();
    try {
      await waitFor(async () => (await visibility()) === 'hidden', 'the page hidden');
      let last = 0;
      for (const text of ['While away 1', 'While away 2', 'While away 3'])
        last = (await api.simulate(CONSULTANT, { action: 'message', familyName: 'The Away family', text }))
          .seq;
      const families = Number(await stat('Family Clients'));
      last = (await api.simulate(CONSULTANT, { action: 'associate-family', familyName: 'The Hidden family' }))
        .seq;
      await waitFor(async () => (await seq()) >= last, 'the hidden page holds every update');
      const started = performance.now();
      await browser.setWindowRect(null, null, width, height);
      await waitFor(async () => (await visibility()) === 'visible', 'the page shown again');
      await waitFor(async () => {
        const items = await browser.execute(rows, 'Recent Messages');
        return [3, 2, 1].every((n, i) => items[i]?.includes(`While away ${n}`));
      }, 'the messages, newest first');
      assert.equal(Number(await stat('Family Clients')), families + 1);
      latency.record('WebKit: background tab shown again', performance.now() - started);
    } finally {
      if ((await visibility()) === 'hidden') await browser.setWindowRect(null, null, width, height);
    }
  });

  it('AC2: a consultation reaching its start time turns Active and the active count goes up', async () => {
    const snapshot = await api.snapshot(CONSULTANT);
    const next = snapshot.upcoming.find((item) => item.status === 'scheduled');
    assert.ok(next, 'a scheduled consultation to start');
    const before = Number(await stat('Active Consultations'));
    await api.advanceClock(Date.parse(next.startsAt) - (await api.now()) + 1_000);
    await waitFor(async () => Number(await stat('Active Consultations')) === before + 1, 'active count');
    const row = (await browser.execute(rows, 'Upcoming Consultations')).find((t) =>
      t.includes(next.familyName),
    );
    assert.ok(row && /Active/.test(row), `the started item shows Active: ${row}`);
  });

  it('reconnects after a network drop and shows what happened meanwhile', async () => {
    proxy.cut();
    const { seq: last } = await api.simulate(CONSULTANT, {
      action: 'message',
      familyName: 'The Dropouts',
      text: 'Sent during the outage',
    });
    proxy.restore();
    const ms = await waitFor(
      async () => (await pageText()).includes('Sent during the outage'),
      'shown after the drop',
    );
    latency.record('WebKit: back after a drop', ms);
    assert.ok((await seq()) >= last);
  });

  it('two tabs stay in sync', async () => {
    const first = await browser.getWindowHandle();
    const { handle: second } = await browser.createWindow('tab');
    await browser.switchToWindow(second);
    await browser.url(`${proxy.url}/?consultant=${CONSULTANT}`);
    await waitFor(async () => (await seq()) >= 0, 'second tab live');
    const started = performance.now();
    const { seq: last } = await api.simulate(CONSULTANT, {
      action: 'message',
      familyName: 'The Pairs',
      text: 'One update, two tabs',
    });
    const roles: (string | null)[] = [];
    for (const handle of [second, first]) {
      await browser.switchToWindow(handle);
      await waitFor(async () => (await pageText()).includes('One update, two tabs'), 'tab shows the update');
      assert.ok((await seq()) >= last);
      roles.push(await browser.execute(clientRole));
    }
    // One connection for both: the first tab holds it, the second follows.
    assert.deepEqual(roles, ['follower', 'leader']);
    latency.record('WebKit: two tabs', performance.now() - started);
    await browser.switchToWindow(second);
    await browser.closeWindow();
    await browser.switchToWindow(first);
  });

  it('an expired session lands on the login page', async () => {
    await open(`${proxy.url}/?consultant=${CONSULTANT}&ttl=120`);
    await api.simulate(CONSULTANT, { action: 'associate-family', familyName: 'The Lasts' });
    await api.advanceClock(125_000);
    await waitFor(async () => (await browser.getUrl()).includes('/login'), 'redirected to login');
  });
});
