// The scenarios that matter most on Safari, in WebKit (Safari's engine): a booking and a
// message appear and are announced, the page recovers from a network drop, two tabs stay in
// sync, and an expired session lands on the login page.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DemoApi } from './support/api.js';
import { LatencyLog, WAIT_MS } from './support/latency.js';
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
    for (const handle of [second, first]) {
      await browser.switchToWindow(handle);
      await waitFor(async () => (await pageText()).includes('One update, two tabs'), 'tab shows the update');
      assert.ok((await seq()) >= last);
    }
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
