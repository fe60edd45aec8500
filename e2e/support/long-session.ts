// A dashboard left open for a long time, in a fraction of it: the page's clock (its timers,
// Date and animation frames) and the server's manual clock move on together, step by step.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DemoApi } from './api.js';
import { openDashboard } from './browser.js';
import { startServerProcess, type ServerProcess } from './server.js';

/**
 * One step of the page's time: shorter than the silence a connection allows (the server's
 * heartbeat, 100 ms here, and 10 s), so that its watchdog sees a connection as a person would.
 */
const STEP_MS = 7_500;

export interface ClientView {
  /** The page's time. */
  now: number;
  status: string;
  counters: Record<string, number>;
}

export interface LongSession {
  readonly server: ServerProcess;
  readonly api: DemoApi;
  readonly context: BrowserContext;
  readonly page: Page;
  /** URLs of the WebSockets the page opened. */
  readonly sockets: string[];
  /** Every status the client showed after a step. */
  readonly statuses: Set<string>;
  /** A minute of both clocks, in steps, each ending when a heartbeat was heard after it. */
  minute(steps?: number): Promise<void>;
  client(): Promise<ClientView>;
  /** Waits until the page's client has applied `seq`, then for the frame that shows it. */
  untilSeq(seq: number): Promise<void>;
  close(): Promise<void>;
}

export async function openLongSession(browser: Browser, consultantId: string): Promise<LongSession> {
  // Heartbeats every 100 ms of real time: each step waits for one.
  const server = await startServerProcess({ env: { FG_HEARTBEAT_MS: '100' } });
  const api = new DemoApi(server.url);
  const context = await browser.newContext();
  await context.clock.install({ time: await api.now() });
  const sockets: string[] = [];
  context.on('page', (tab) => tab.on('websocket', (ws) => sockets.push(ws.url())));
  const page = await openDashboard(context, server.url, consultantId);
  const statuses = new Set<string>();
  const client = () =>
    page.evaluate((): ClientView => {
      const host = document.querySelector('fg-dashboard-provider') as unknown as {
        client: { status: string; metrics(): { counters: Record<string, number> } };
      };
      return { now: Date.now(), status: host.client.status, counters: host.client.metrics().counters };
    });
  const step = async () => {
    await api.advanceClock(STEP_MS); // consultations may start or end on their own
    await context.clock.runFor(STEP_MS);
    const { now, status } = await client();
    statuses.add(status);
    await page.waitForFunction(
      (after) =>
        (
          document.querySelector('fg-dashboard-provider') as unknown as {
            client: { state: { lastHeardAt: number } };
          }
        ).client.state.lastHeardAt >= after,
      now,
      { polling: 20 },
    );
  };
  return {
    server,
    api,
    context,
    page,
    sockets,
    statuses,
    client,
    async minute(steps = 8) {
      for (let i = 0; i < steps; i++) await step();
    },
    async untilSeq(seq) {
      await page.waitForFunction(
        (n) =>
          ((
            document.querySelector('fg-dashboard-provider') as unknown as {
              client: { state: { snapshot: { seq: number } | null } };
            }
          ).client.state.snapshot?.seq ?? -1) >= n,
        seq,
        { polling: 20 },
      );
      await context.clock.runFor(100);
    },
    async close() {
      await context.close();
      await server.stop();
    },
  };
}
