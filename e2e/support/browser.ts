import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { Snapshot } from '@fg/protocol';
import { chromiumLaunchOptions } from '../../scripts/chromium.mjs';
import { WAIT_MS } from './latency.js';

export function launchChromium(): Promise<Browser> {
  return chromium.launch(chromiumLaunchOptions());
}

/** Opens the demo page for a consultant; resolves once the dashboard shows server data. */
export async function openDashboard(
  context: BrowserContext,
  baseUrl: string,
  consultantId: string,
  options: { ttlSeconds?: number; transports?: string } = {},
): Promise<Page> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const params = new URLSearchParams({ consultant: consultantId });
  if (options.ttlSeconds) params.set('ttl', String(options.ttlSeconds));
  if (options.transports) params.set('transports', options.transports);
  await page.goto(`${baseUrl}/?${params}`);
  await page.getByRole('group', { name: 'Family Clients' }).locator('[part~="value"]').first().waitFor();
  await page.waitForFunction(() => {
    const client = document.querySelector('fg-dashboard-provider') as unknown as {
      client?: { status: string };
    };
    return client?.client?.status === 'live';
  });
  // Live can come a frame before the first data is on screen: wait for the skeleton to go.
  await page
    .getByRole('group', { name: 'Family Clients' })
    .locator('.skeleton')
    .first()
    .waitFor({ state: 'detached' });
  (page as Page & { uncaught: string[] }).uncaught = errors;
  return page;
}

/**
 * Opens the dashboard with its live WebSocket passing through the test: `forge(text)` hands the
 * page a frame as if the server had sent it (another consultant's, a malformed one).
 */
export async function openDashboardWithForgery(
  context: BrowserContext,
  baseUrl: string,
  consultantId: string,
): Promise<{ page: Page; forge(text: string): void }> {
  let toPage: ((text: string) => void) | undefined;
  await context.routeWebSocket(/\/api\/ws/, (ws) => {
    ws.connectToServer();
    toPage = (text) => ws.send(text);
  });
  const page = await openDashboard(context, baseUrl, consultantId);
  return {
    page,
    forge(text) {
      if (!toPage) throw new Error('the page has no live WebSocket to forge frames on');
      toPage(text);
    },
  };
}

/** What a person reads in a stat card. */
export async function statText(page: Page, name: string): Promise<string> {
  return (await page.getByRole('group', { name }).locator('[part~="value"]').first().innerText()).trim();
}

export async function listItems(
  page: Page,
  name: 'Upcoming Consultations' | 'Recent Messages',
): Promise<string[]> {
  return page.getByRole('list', { name }).getByRole('listitem').allInnerTexts();
}

/** Waits until `read()` returns something `accept` likes; returns ms taken. */
export async function until<T>(
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = WAIT_MS,
): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  let value = await read();
  while (!accept(value)) {
    if (performance.now() - started > timeoutMs) {
      throw new Error(`timed out after ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
    value = await read();
  }
  return { value, ms: performance.now() - started };
}

/** Resolves after two more animation frames: what the store notified in this one is on screen. */
export async function nextFrames(page: Page): Promise<void> {
  await page.evaluate(
    () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))),
  );
}

/** Waits until the page's store has applied `seq`, then until the widgets show it. */
export async function untilSeq(page: Page, seq: number): Promise<void> {
  await page.waitForFunction((n) => {
    const host = document.querySelector('fg-dashboard-provider') as unknown as {
      client: { state: { snapshot: { seq: number } | null } };
    };
    return (host.client.state.snapshot?.seq ?? -1) >= n;
  }, seq);
  await nextFrames(page);
}

/**
 * Waits until the page's store holds `expected` for one of the dashboard's counts, then
 * until the widgets show it: the store notifies them in the next animation frame.
 */
export async function untilCount(
  page: Page,
  name: 'familyClients' | 'unreadMessages',
  expected: number,
): Promise<void> {
  await page.waitForFunction(
    ([count, n]) => {
      const host = document.querySelector('fg-dashboard-provider') as unknown as {
        client: { state: { snapshot: { counts: Record<string, number> } | null } };
      };
      return host.client.state.snapshot?.counts[count] === n;
    },
    [name, expected] as const,
  );
  await nextFrames(page);
}

/** The state the page's dashboard client holds (its snapshot), as it is now. */
export function pageSnapshot(page: Page): Promise<Snapshot | null> {
  return page.evaluate(
    () =>
      (
        document.querySelector('fg-dashboard-provider') as unknown as {
          client: { state: { snapshot: Snapshot | null } };
        }
      ).client.state.snapshot,
  );
}

/** The status of the page's dashboard client (`live`, `reconnecting`, ...). */
export function clientStatus(page: Page): Promise<string> {
  return page.evaluate(
    () =>
      (document.querySelector('fg-dashboard-provider') as unknown as { client: { status: string } }).client
        .status,
  );
}

/** The codes of the `fg-error` events a page reports, kept from the moment this is called. */
export interface ReportedErrors {
  /** The codes reported since the last `take()` (or since recording began). */
  take(): Promise<string[]>;
  /** Waits for at least one code not taken yet, then takes them all. */
  next(): Promise<string[]>;
}

export async function recordErrors(page: Page): Promise<ReportedErrors> {
  type Recording = { fgErrors: string[] };
  await page.evaluate(() => {
    const w = window as unknown as Recording;
    w.fgErrors = [];
    window.addEventListener('fg-error', (event) =>
      w.fgErrors.push((event as CustomEvent<{ code: string }>).detail.code),
    );
  });
  const take = () =>
    page.evaluate(() => {
      const w = window as unknown as Recording;
      const codes = w.fgErrors;
      w.fgErrors = [];
      return codes;
    });
  return {
    take,
    async next() {
      await page.waitForFunction(() => (window as unknown as Recording).fgErrors.length > 0);
      return take();
    },
  };
}
