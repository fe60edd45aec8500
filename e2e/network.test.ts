// AC9 and negative test 1: the network drops (and, separately, the server restarts) while
// families keep acting; when it returns, the page shows the server's current state, no reload.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DemoApi } from './support/api.js';
import { launchChromium, listItems, openDashboard, statText } from './support/browser.js';
import { LatencyLog, WAIT_MS } from './support/latency.js';
import { FaultProxy } from './support/proxy.js';
import { startServerProcess, type ServerProcess } from './support/server.js';

const CONSULTANT = 'c-story';

describe('network interruption (Chromium)', () => {
  let server: ServerProcess;
  let proxy: FaultProxy;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let api: DemoApi;
  let navigations = 0;
  const latency = new LatencyLog(import.meta.filename);

  /** Waits until every widget equals the server's snapshot; returns ms taken. */
  async function untilCurrent(timeoutMs = WAIT_MS): Promise<number> {
    const started = performance.now();
    const snapshot = await api.snapshot(CONSULTANT);
    for (;;) {
      const families = await statText(page, 'Family Clients');
      const messages = await listItems(page, 'Recent Messages');
      const upcoming = await listItems(page, 'Upcoming Consultations');
      const current =
        families === String(snapshot.counts.familyClients) &&
        snapshot.recentMessages.every((m, i) => messages[i]?.includes(m.preview.slice(0, 20))) &&
        snapshot.upcoming.every((u, i) => upcoming[i]?.includes(u.familyName));
      if (current) return performance.now() - started;
      assert.ok(
        performance.now() - started < timeoutMs,
        `the page did not catch up with the server within ${timeoutMs} ms`,
      );
      await page.evaluate(() => new Promise(requestAnimationFrame));
    }
  }

  before(async () => {
    server = await startServerProcess({ env: { FG_HEARTBEAT_MS: '1000' } });
    proxy = await new FaultProxy(server.port).listen();
    api = new DemoApi(server.url);
    browser = await launchChromium();
    context = await browser.newContext();
    page = await openDashboard(context, proxy.url, CONSULTANT);
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations++;
    });
  });

  after(async () => {
    latency.write();
    await browser?.close();
    await proxy?.close();
    await server?.stop();
  });

  it('Negative 1: internet lost, events happen, internet back: the page shows the current state', async () => {
    await context.setOffline(true);
    proxy.cut();
    await page.waitForFunction(() => {
      const status = (
        document.querySelector('fg-dashboard-provider') as unknown as { client: { status: string } }
      ).client.status;
      return status !== 'live';
    });
    await api.simulate(CONSULTANT, {
      action: 'message',
      familyName: 'The Moreaus',
      text: 'Sent while you were offline',
    });
    await api.simulate(CONSULTANT, {
      action: 'book',
      startsInSeconds: 120,
      familyName: 'The Offline family',
    });
    await api.simulate(CONSULTANT, { action: 'associate-family', familyName: 'The Quiet family' });
    proxy.restore();
    await context.setOffline(false);
    latency.record('back online: current state', await untilCurrent());
  });

  it('Negative 1b: the connection stalls silently (no close): the page notices and recovers', async () => {
    proxy.stall();
    await api.simulate(CONSULTANT, {
      action: 'message',
      familyName: 'The Stalls',
      text: 'Lost in a dead socket',
    });
    // No close, no error: only the liveness watchdog (heartbeat + 10 s) can tell.
    await page.waitForFunction(
      () =>
        (document.querySelector('fg-dashboard-provider') as unknown as { client: { status: string } }).client
          .status !== 'live',
      undefined,
      { timeout: WAIT_MS },
    );
    proxy.restore();
    latency.record('stalled connection: current state', await untilCurrent());
  });

  it('the server restarts while events happen: the page resumes without loss', async () => {
    await server.stop({ keepDb: true });
    server = await startServerProcess({ dbPath: server.dbPath, env: { FG_HEARTBEAT_MS: '1000' } });
    api = new DemoApi(server.url);
    proxy.retarget(server.port);
    await api.simulate(CONSULTANT, {
      action: 'message',
      familyName: 'The Restarts',
      text: 'After the restart',
    });
    latency.record('server restart: current state', await untilCurrent());
    assert.equal(navigations, 0, 'no reload');
  });
});
