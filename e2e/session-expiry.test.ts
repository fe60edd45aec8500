// Negative test 4 and the story's session-expiry edge case: the JWT expires while updates
// flow; the page lands on the login page, and no widget showed half-applied data before it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { DemoApi } from './support/api.js';
import { launchChromium, openDashboard } from './support/browser.js';
import { LatencyLog, WAIT_MS } from './support/latency.js';
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
          client: { state: { snapshot: { seq: number; counts: { familyClients: number } } | null } };
        };
        const snapshot = host.client.state.snapshot;
        // The exact number: above 99 the card shows "99+" and keeps it for screen readers.
        const value = document
          .querySelector('fg-dashboard')
          ?.shadowRoot?.querySelector('fg-stats-cards')
          ?.shadowRoot?.querySelector('[part~="card-family-clients"] [part="value"]');
        const shown = (value?.querySelector('.vh') ?? value)?.textContent;
        sessionStorage.setItem(
          'fg-at-expiry',
          JSON.stringify({
            seq: snapshot?.seq,
            families: snapshot?.counts.familyClients,
            shown: shown?.trim(),
          }),
        );
      });
    });
    const base = (await api.snapshot(CONSULTANT)).counts.familyClients;
    // Families keep associating, one event at a time, until the page has left (or a minute).
    const seqs: number[] = [];
    let flowing = true;
    const until = performance.now() + 60_000;
    const flow = (async () => {
      for (let i = 0; flowing && performance.now() < until; i++) {
        const { seq } = await api.simulate(CONSULTANT, {
          action: 'associate-family',
          familyName: `Family ${i}`,
        });
        seqs.push(seq);
      }
    })();
    const started = performance.now();
    await page.waitForFunction((n) => {
      const host = document.querySelector('fg-dashboard-provider') as unknown as {
        client: { state: { snapshot: { counts: { familyClients: number } } | null } };
      };
      return (host.client.state.snapshot?.counts.familyClients ?? 0) >= n;
    }, base + 3);
    latency.record('updates before expiry', performance.now() - started);
    // Time passes on the server's clock while events flow: the token expires on the live connection.
    const expiring = performance.now();
    await api.advanceClock((TTL_SECONDS + 5) * 1000);
    await page.waitForURL(/\/login/, { timeout: WAIT_MS });
    latency.record('expiry to login page', performance.now() - expiring);
    flowing = false;
    await flow;
    const atExpiry = await page.evaluate(() => sessionStorage.getItem('fg-at-expiry'));
    assert.ok(atExpiry, 'fg-session-expired fired before leaving');
    const { seq, families, shown } = JSON.parse(atExpiry) as { seq: number; families: number; shown: string };
    // Every association is one event: the state at expiry holds exactly those up to its seq.
    const applied = seqs.filter((s) => s <= seq).length;
    assert.ok(applied >= 3, `${applied} associations applied before expiry`);
    assert.ok(seqs.length > applied, 'events were still flowing when the session ended');
    assert.equal(families, base + applied);
    assert.ok(Number(shown) <= families && Number(shown) >= base + 3, `shown ${shown}, state ${families}`);
    assert.match(await page.locator('body').innerText(), /session/i);
  });
});
