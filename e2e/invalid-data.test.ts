// Negative test 2: the backend sends malformed updates; the page logs them, recovers, and
// keeps working.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { DemoApi } from './support/api.js';
import {
  clientStatus,
  launchChromium,
  listItems,
  openDashboardWithForgery,
  recordErrors,
  statText,
  type ReportedErrors,
  untilCount,
} from './support/browser.js';
import { LatencyLog } from './support/latency.js';
import { startServerProcess, type ServerProcess } from './support/server.js';

const CONSULTANT = 'c-story';

describe('invalid data (Chromium)', () => {
  let server: ServerProcess;
  let browser: Browser;
  let page: Page;
  let errors: ReportedErrors;
  let api: DemoApi;
  let forge: (text: string) => void;
  const consoleErrors: string[] = [];
  const latency = new LatencyLog(import.meta.filename);

  before(async () => {
    server = await startServerProcess();
    api = new DemoApi(server.url);
    browser = await launchChromium();
    ({ page, forge } = await openDashboardWithForgery(await browser.newContext(), server.url, CONSULTANT));
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') consoleErrors.push(message.text());
    });
    errors = await recordErrors(page);
  });

  after(async () => {
    latency.write();
    await browser?.close();
    await server?.stop();
  });

  for (const [name, frame, code] of [
    ['malformed JSON', '{"type":"event", "seq": ', 'malformed-frame'],
    [
      'a frame that fails the schema',
      JSON.stringify({ type: 'event', epoch: 'x', seq: -4, kind: 'nonsense' }),
      'invalid-frame',
    ],
    ['an unknown frame type', JSON.stringify({ type: 'launch-missiles' }), 'invalid-frame'],
  ] as const) {
    it(`${name}: logged, reported as fg-error, recovered from; later updates still show`, async () => {
      const families = Number(await statText(page, 'Family Clients'));
      await errors.take();
      forge(frame);
      assert.deepEqual(await errors.next(), [code]);
      const started = performance.now();
      await api.simulate(CONSULTANT, { action: 'associate-family', familyName: `After ${name}` });
      await untilCount(page, 'familyClients', families + 1);
      latency.record('update after a malformed frame', performance.now() - started);
      assert.equal(await statText(page, 'Family Clients'), String(families + 1));
      assert.equal(await clientStatus(page), 'live');
    });
  }

  it('the page kept its data intact and logged what it dropped', async () => {
    const snapshot = await api.snapshot(CONSULTANT);
    assert.equal(await statText(page, 'Family Clients'), String(snapshot.counts.familyClients));
    assert.equal((await listItems(page, 'Upcoming Consultations')).length, snapshot.upcoming.length);
    assert.ok(consoleErrors.length >= 3, `dropped frames are logged: ${JSON.stringify(consoleErrors)}`);
  });
});
