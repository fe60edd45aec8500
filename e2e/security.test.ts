// Negative test 3 and the story's authorization rule: a consultant only ever sees and
// changes their own data, whatever another party sends or asks for.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Snapshot } from '@fg/protocol';
import { DemoApi } from './support/api.js';
import {
  clientStatus,
  launchChromium,
  listItems,
  openDashboard,
  openDashboardWithForgery,
  pageSnapshot,
  recordErrors,
  statText,
  type ReportedErrors,
  untilCount,
} from './support/browser.js';
import { LatencyLog } from './support/latency.js';
import { startServerProcess, type ServerProcess } from './support/server.js';

const A = 'c-story';
const B = 'c-other';

describe('unauthorized update (Chromium)', () => {
  let server: ServerProcess;
  let browser: Browser;
  let page: Page;
  let errors: ReportedErrors;
  let api: DemoApi;
  let forge: (text: string) => void;
  const latency = new LatencyLog(import.meta.filename);

  before(async () => {
    server = await startServerProcess();
    api = new DemoApi(server.url);
    browser = await launchChromium();
    ({ page, forge } = await openDashboardWithForgery(await browser.newContext(), server.url, A));
    errors = await recordErrors(page);
  });

  after(async () => {
    latency.write();
    await browser?.close();
    await server?.stop();
  });

  it("B's events never reach A's page", async () => {
    const secret = 'B-private-family';
    await api.simulate(B, { action: 'message', familyName: secret, text: 'for B only' });
    await api.simulate(B, { action: 'book', startsInSeconds: 60, familyName: secret });
    // A's own event after B's: once it shows, anything of B's would have shown too.
    const started = performance.now();
    await api.simulate(A, { action: 'message', familyName: 'The A family', text: 'for A' });
    await page.getByText('for A').first().waitFor();
    latency.record('own update among foreign ones', performance.now() - started);
    assert.equal(await page.getByText(secret).count(), 0);
  });

  it("A's token cannot read or change B's data", async () => {
    const { token } = await api.token(A);
    const bSnapshot = await api.snapshot(B);
    const bMessage = bSnapshot.recentMessages.find((m) => !m.read) ?? bSnapshot.recentMessages[0];
    assert.ok(bMessage, 'B has a message');
    const res = await fetch(`${server.url}/api/messages/${bMessage.id}/read`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(res.status, 404);
    const after = await api.snapshot(B);
    assert.deepEqual(after.recentMessages, bSnapshot.recentMessages);
    assert.deepEqual(after.counts, bSnapshot.counts);
  });

  /** A's own next change shows, B's data never does, and the page stays live. */
  async function showsOnlyOwn(what: string, bSnapshot: Snapshot): Promise<void> {
    const families = await statText(page, 'Family Clients');
    const started = performance.now();
    await api.simulate(A, { action: 'associate-family', familyName: 'The Real family' });
    await untilCount(page, 'familyClients', Number(families) + 1);
    latency.record(what, performance.now() - started);
    assert.equal(await statText(page, 'Family Clients'), String(Number(families) + 1));
    const names = (await listItems(page, 'Upcoming Consultations')).join('\n');
    for (const item of bSnapshot.upcoming)
      assert.ok(!names.includes(item.familyName), `${item.familyName} leaked`);
    assert.equal(await clientStatus(page), 'live');
  }

  it("a forged event from another consultant's log is never applied", async () => {
    await errors.take();
    const own = await api.snapshot(A);
    const bSnapshot = await api.snapshot(B);
    // B's real epoch with the next seq of A: a frame that belongs to another log.
    forge(
      JSON.stringify({
        type: 'event',
        epoch: bSnapshot.epoch,
        seq: own.seq + 1,
        at: Date.now(),
        kind: 'family.associated',
        subject: { type: 'family', id: 'forged' },
        patch: { counts: { ...own.counts, familyClients: 999 } },
      }),
    );
    await showsOnlyOwn('own update after a forged event', bSnapshot);
    assert.notEqual(await statText(page, 'Family Clients'), '999');
  });

  it("a forged snapshot of another consultant's dashboard is rejected and reported, on a live connection", async () => {
    await errors.take();
    const before = await pageSnapshot(page);
    const bSnapshot = await api.snapshot(B);
    forge(JSON.stringify({ type: 'snapshot', ...bSnapshot, seq: bSnapshot.seq + 1000 }));
    assert.deepEqual(await errors.next(), ['foreign-frame']);
    const after = await pageSnapshot(page);
    assert.deepEqual(after, before, 'the state is untouched');
    await showsOnlyOwn('own update after a forged snapshot', bSnapshot);
  });
});

describe('content security policy (Chromium)', () => {
  let server: ServerProcess;
  let browser: Browser;

  before(async () => {
    server = await startServerProcess();
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('the demo page, its dashboard and its live updates need nothing the strict policy forbids', async () => {
    const context = await browser.newContext();
    // Before the page's own scripts: every violation, from the first request on.
    await context.addInitScript(() => {
      const w = window as unknown as { violations: string[] };
      w.violations = [];
      document.addEventListener('securitypolicyviolation', (event) =>
        w.violations.push(`${event.effectiveDirective} ${event.blockedURI}`),
      );
    });
    const page = await openDashboard(context, server.url, A);
    const policy = (await page.request.get(page.url())).headers()['content-security-policy'];
    assert.match(policy ?? '', /style-src 'self'/);
    await new DemoApi(server.url).simulate(A, {
      action: 'book',
      startsInSeconds: 60,
      familyName: 'The Policy family',
    });
    await page.getByRole('list', { name: 'Upcoming Consultations' }).getByText('The Policy family').waitFor();
    // Styled (a constructed style sheet), not bare markup.
    const radius = await page
      .locator('fg-stats-cards [part~="card-family-clients"]')
      .evaluate((card) => getComputedStyle(card).borderTopLeftRadius);
    assert.notEqual(radius, '0px');
    assert.deepEqual(
      await page.evaluate(() => (window as unknown as { violations: string[] }).violations),
      [],
    );
    await context.close();
  });
});
