// The demo page's own controls, as a person evaluating the product uses them: the simulator
// acts on what was picked, whatever the dashboard receives meanwhile, and a session's length
// from the address that the server cannot give still opens a dashboard.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { DemoApi } from './support/api.js';
import { launchChromium, listItems, openDashboard, until } from './support/browser.js';
import { startServerProcess, type ServerProcess } from './support/server.js';

describe('demo page', () => {
  let server: ServerProcess;
  let browser: Browser;
  let api: DemoApi;

  before(async () => {
    server = await startServerProcess();
    api = new DemoApi(server.url);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('cancels the consultation picked, even after a booking moved it down the list', async () => {
    const context = await browser.newContext();
    const page = await openDashboard(context, server.url, 'c-story');
    const picker = page.getByRole('combobox', { name: 'Consultation' });
    const garcia = (await api.snapshot('c-story')).upcoming.find(
      (u) => u.familyName === 'The Garcia family',
    )!;
    await picker.selectOption(garcia.id);
    // Booked to start before every other consultation: the Garcias move one option down.
    await api.simulate('c-story', { action: 'book', familyName: 'The Intruder family', startsInSeconds: 60 });
    await picker.locator('option', { hasText: 'The Intruder family' }).waitFor({ state: 'attached' });
    assert.equal(await picker.inputValue(), garcia.id);
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    const { value: shown } = await until(
      () => listItems(page, 'Upcoming Consultations'),
      (items) => !items.some((text) => text.includes('The Garcia family')),
    );
    assert.ok(
      shown.some((text) => text.includes('The Intruder family')),
      shown.join('\n'),
    );
    await context.close();
  });

  it('ends a session of a fixed length on the login page when its token expires, without trying to reconnect', async () => {
    // On the system's clock: the page tells the end of its session by the server's time.
    const live = await startServerProcess({ env: { FG_CLOCK: 'system' } });
    after(() => live.stop());
    const context = await browser.newContext();
    const page = await openDashboard(context, live.url, 'c-story', { ttlSeconds: 3 });
    // Every status the client goes through from now on, and every token the page is asked
    // for: "token" if it gave one, "none" if it had none.
    const seen: string[] = [];
    await page.exposeFunction('fgSaw', (what: string) => seen.push(what));
    await page.evaluate(() => {
      const saw = (window as unknown as { fgSaw(what: string): void }).fgSaw;
      const provider = document.querySelector('fg-dashboard-provider') as unknown as {
        client: EventTarget & { status: string };
        getToken: () => Promise<string | null>;
      };
      const { client } = provider;
      client.addEventListener('status', () => saw(client.status));
      // The page sets its token function again as it renders: each one it sets is wrapped.
      let given = provider.getToken;
      // (Functions given as members, not in an object literal: the test's compiler would name them.)
      const access: PropertyDescriptor = {};
      access.get = () => async () => {
        const token = await given();
        saw(token === null ? 'none' : 'token');
        return token;
      };
      access.set = (getToken: () => Promise<string | null>) => (given = getToken);
      Object.defineProperty(provider, 'getToken', access);
    });
    await page.waitForURL(/\/login/);
    // Refused for its expiry, the client asks the page for a token once: the page has none,
    // and the session ends there. (Handed the expired token again, the client would take it
    // for a clock out of step and ask again 2, 4 and 8 s later, "Reconnecting" all the while.)
    const refused = seen.findIndex((what) => what !== 'live' && what !== 'token');
    assert.deepEqual(
      seen.slice(refused).filter((what) => what === 'token' || what === 'none'),
      ['none'],
      seen.join(', '),
    );
    assert.deepEqual(seen.slice(-1), ['expired'], seen.join(', '));
    await context.close();
  });

  it('opens a dashboard for a session asked longer than the server gives (7 days at most)', async () => {
    const context = await browser.newContext();
    const page = await openDashboard(context, server.url, 'c-story', { ttlSeconds: 99_999_999 });
    const left = Number(/Session ends in (\d+) s\./.exec(await page.locator('.session').innerText())?.[1]);
    assert.ok(left > 604_000 && left <= 604_800, `${left} s left`);
    await context.close();
  });
});
