// The story's accessibility requirement: screen readers announce critical updates (new
// messages, new bookings), and nothing else interrupts them. Real server, real page; what
// the page's one polite live region says, announcement by announcement.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { DemoApi } from './support/api.js';
import { launchChromium, openDashboard } from './support/browser.js';
import { WAIT_MS } from './support/latency.js';
import { startServerProcess, type ServerProcess } from './support/server.js';

const CONSULTANT = 'c-story';

describe('announcements (Chromium)', () => {
  let server: ServerProcess;
  let browser: Browser;
  let page: Page;
  let api: DemoApi;
  /** The page's WebSocket, routed through the test: what the server sends, and the page. */
  let fromServer: { hold(events: number): Promise<void>; release(): void } | undefined;

  /** Every announcement the region made since the page opened, each as its sentences. */
  const announcements = (): Promise<string[][]> =>
    page.evaluate(() => (window as unknown as { fgHeard: string[][] }).fgHeard);

  /** Waits for the region's next announcement after the `seen` first ones, and returns it. */
  async function nextAnnouncement(seen: number): Promise<string[]> {
    await page.waitForFunction(
      (n) => (window as unknown as { fgHeard: string[][] }).fgHeard.length > n,
      seen,
      { timeout: WAIT_MS },
    );
    return (await announcements())[seen]!;
  }

  before(async () => {
    server = await startServerProcess();
    api = new DemoApi(server.url);
    browser = await launchChromium();
    const context = await browser.newContext();
    await context.routeWebSocket(/\/api\/ws/, (ws) => {
      let held: { frames: (string | Buffer)[]; events: number; enough(): void } | undefined;
      ws.connectToServer().onMessage((frame) => {
        if (!held) return ws.send(frame);
        held.frames.push(frame);
        if ((JSON.parse(String(frame)) as { type: string }).type === 'event' && --held.events === 0) {
          held.enough();
        }
      });
      fromServer = {
        hold: (events) => new Promise((resolve) => (held = { frames: [], events, enough: resolve })),
        release() {
          const frames = held?.frames ?? [];
          held = undefined;
          for (const frame of frames) ws.send(frame);
        },
      };
    });
    page = await openDashboard(context, server.url, CONSULTANT);
    await page.evaluate(() => {
      const region = document
        .querySelector('fg-dashboard-provider fg-dashboard')!
        .shadowRoot!.querySelector('fg-live-region')!
        .shadowRoot!.querySelector('[aria-live="polite"]')!;
      const heard: string[][] = [];
      (window as unknown as { fgHeard: string[][] }).fgHeard = heard;
      new MutationObserver(() =>
        heard.push([...region.querySelectorAll('p')].map((p) => p.textContent ?? '')),
      ).observe(region, { childList: true });
    });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('announces a new message from its family', async () => {
    await api.simulate(CONSULTANT, { action: 'message', familyName: 'The Haddad family', text: 'Hello' });
    assert.deepEqual(await nextAnnouncement(0), ['New message from The Haddad family']);
  });

  it('announces a booking past the first five upcoming with who and when, and says nothing of a payment made with it', async () => {
    const seen = (await announcements()).length;
    await api.simulate(CONSULTANT, { action: 'payment', amountMinor: 12_000 });
    await api.simulate(CONSULTANT, {
      action: 'book',
      startsInSeconds: 30 * 86_400,
      familyName: 'The Lindqvist family',
    });
    const said = await nextAnnouncement(seen);
    assert.equal(said.length, 1, `one sentence: ${JSON.stringify(said)}`);
    assert.match(said[0]!, /^New booking: The Lindqvist family, \w{3}, \w{3} \d{1,2}, \d{1,2}:\d{2} [AP]M$/);
  });

  it('sums up a burst of messages in one announcement', async () => {
    const seen = (await announcements()).length;
    // Held back and then handed over together, the five reach the page within the region's
    // half second of quiet however the machine schedules the server and the test.
    const heldBack = fromServer!.hold(5);
    await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        api.simulate(CONSULTANT, { action: 'message', familyName: `The Burst family ${i}`, text: 'Hi' }),
      ),
    );
    await heldBack;
    fromServer!.release();
    assert.deepEqual(await nextAnnouncement(seen), ['5 new messages']);
  });
});
