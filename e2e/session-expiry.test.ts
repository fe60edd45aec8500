// Negative test 4 and the story's session-expiry edge case: the JWT expires while updates
// flow; the page lands on the login page, and no widget showed half-applied data before it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { DemoApi } from './support/api.js';
import { launchChromium, openDashboard, statText, untilCount } from './support/browser.js';
import { LatencyLog } from './support/latency.js';
import { startServerProcess, type ServerProcess } from './support/server.js';

const CONSULTANT = 'c-story';
const TTL_SECONDS = 120;

describe('session expiry (Chromium)', () => {
  let server: ServerProcess;
  let browser: Browser;
  let page: Page;
  let api: DemoApi;
  const latency = new LatencyLog(import.meta.filename);

  before(async () => {
    server = await startServerProcess();
    api = new DemoApi(server.url);
    browser = await launchChromium();
    page = await openDashboard(await browser.newContext(), server.url, CONSULTANT, {
      ttlSeconds: TTL_SECONDS,
    });
  });

  after(async () => {
    latency.write();
    await browser?.close();
    await server?.stop();
  });

  it('Negative 4: the token expires during updates: graceful redirect to login, no corrupt data', async () => {
    // What the widgets render from at the moment the session ends, kept across the navigation.
    await page.evaluate(() => {
      window.addEventListener('fg-session-expired', () => {
        const host = document.querySelector('fg-dashboard-provider') as unknown as {
          client: { state: { snapshot: { counts: { familyClients: number } } | null } };
        };
        const families = host.client.state.snapshot?.counts.familyClients;
        sessionStorage.setItem('fg-at-expiry', JSON.stringify({ families }));
      });
    });
    const started = performance.now();
    for (let i = 0; i < 5; i++) {
      await api.simulate(CONSULTANT, { action: 'associate-family', familyName: `Family ${i}` });
    }
    const expected = (await api.snapshot(CONSULTANT)).counts.familyClients;
    await untilCount(page, 'familyClients', expected);
    latency.record('updates before expiry', performance.now() - started);
    assert.equal(await statText(page, 'Family Clients'), String(expected));
    // Time passes on the server's clock: the token expires on the live connection.
    const expiring = performance.now();
    await api.advanceClock((TTL_SECONDS + 5) * 1000);
    await page.waitForURL(/\/login/, { timeout: 10_000 });
    latency.record('expiry to login page', performance.now() - expiring);
    const atExpiry = await page.evaluate(() => sessionStorage.getItem('fg-at-expiry'));
    assert.ok(atExpiry, 'fg-session-expired fired before leaving');
    assert.deepEqual(JSON.parse(atExpiry), { families: expected });
    assert.match(await page.locator('body').innerText(), /session/i);
  });
});
