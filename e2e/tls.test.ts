// The story's "HTTPS for the real-time connection": the demo page served over HTTPS goes
// live over wss:, and over SSE on https: when told to use it, and a booking reaches it on each.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchChromium, openDashboard, until } from './support/browser.js';
import { WAIT_MS } from './support/latency.js';
import { startServerProcess, type ServerProcess } from './support/server.js';

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

describe('HTTPS (Chromium)', { skip: hasOpenssl ? false : 'openssl is not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'fg-e2e-tls-'));
  let server: ServerProcess;
  let browser: Browser;
  let context: BrowserContext;
  const sockets: string[] = [];

  before(async () => {
    const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    // A certificate of its own for 127.0.0.1, which the browser is told to accept.
    execFileSync(
      'openssl',
      [
        ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
        ...['-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1'],
        ...['-addext', 'subjectAltName=IP:127.0.0.1'],
      ],
      { stdio: 'ignore' },
    );
    server = await startServerProcess({ env: { FG_TLS_CERT: cert, FG_TLS_KEY: key } });
    browser = await launchChromium();
    context = await browser.newContext({ ignoreHTTPSErrors: true });
    context.on('page', (page) => page.on('websocket', (ws) => sockets.push(ws.url())));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [transport, scheme] of [
    ['websocket', 'wss:'],
    ['sse', 'https:'],
  ] as const) {
    it(`goes live on ${transport} (${scheme}) and shows a booking`, async () => {
      assert.match(server.url, /^https:\/\//);
      sockets.length = 0;
      const page = await openDashboard(context, server.url, 'c-story', { transports: transport });
      const used = await page.evaluate(() => {
        const host = document.querySelector('fg-dashboard-provider') as unknown as {
          client: { metrics(): { transport: string | null } };
        };
        return { protocol: location.protocol, transport: host.client.metrics().transport };
      });
      assert.deepEqual(used, { protocol: 'https:', transport });
      // The browser tells of a socket from its network process, which may come after the page
      // shows what the socket carried: wait for the word of one before looking at its scheme.
      if (transport === 'websocket')
        await until(
          async () => sockets.length,
          (n) => n > 0,
        );
      assert.deepEqual(
        sockets.map((url) => new URL(url).protocol),
        transport === 'websocket' ? ['wss:'] : [],
      );
      // A family books, through the same HTTPS server.
      const familyName = `The Secure ${transport} family`;
      const response = await context.request.post(`${server.url}/api/demo/simulate`, {
        data: { consultantId: 'c-story', action: 'book', startsInSeconds: 60, familyName },
      });
      assert.equal(response.status(), 200, await response.text());
      await page
        .getByRole('list', { name: 'Upcoming Consultations' })
        .getByText(familyName)
        .waitFor({ timeout: WAIT_MS });
      await page.close();
    });
  }
});
