// The browser side: a headless Chromium page showing <fg-dashboard> for one consultant while
// the server commits events for it (and 1,000 other dashboards are connected). Measures
// event-to-DOM latency (server commit to the painted frame, the client's own telemetry),
// render time per update, long tasks during a burst, and the JS heap after GC.
import { chromium } from 'playwright-core';
import { Agent, request } from 'node:http';
import { percentiles, type BenchServer, type Percentiles } from './lib.js';
import { runFanoutConnections } from './idle.js';

export interface BrowserResult {
  otherDashboards: number;
  events: number;
  eventToDom: Percentiles;
  renderPerUpdate: Percentiles;
  burst: { events: number; longTasks: number[]; longestTaskMs: number };
  heap: { events: number; beforeBytes: number; afterBytes: number; growthBytes: number };
}

const CONSULTANT = 'c-story';

function simulator(server: BenchServer) {
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const post = (body: object) =>
    new Promise<number>((resolve, reject) => {
      const text = JSON.stringify(body);
      const req = request(`${server.url}/api/demo/simulate`, {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) },
      });
      req.on('response', (res) => {
        let data = '';
        res.on('data', (c) => (data += c));
        res.on('end', () =>
          res.statusCode === 200
            ? resolve((JSON.parse(data) as { seq: number }).seq)
            : reject(new Error(data)),
        );
      });
      req.on('error', reject);
      req.end(text);
    });
  const actions = [
    { action: 'message', familyName: 'Bench family', text: 'A message from the bench' },
    { action: 'payment', amountMinor: 1_000 },
    { action: 'associate-family', familyName: 'Bench family' },
    { action: 'book', startsInSeconds: 86_400, familyName: 'Bench booking' },
  ];
  return {
    /** `count` events at `perSecond`, cycling through kinds; resolves with the last seq. */
    async play(count: number, perSecond: number): Promise<number> {
      let last = 0;
      const started = performance.now();
      const inflight = new Set<Promise<unknown>>();
      for (let i = 0; i < count; i++) {
        const due = started + (i / perSecond) * 1000;
        const wait = due - performance.now();
        if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
        const p = post({ consultantId: CONSULTANT, ...actions[i % actions.length] }).then((seq) => {
          last = Math.max(last, seq);
          inflight.delete(p);
        });
        inflight.add(p);
        if (inflight.size >= 32) await Promise.race(inflight);
      }
      await Promise.all(inflight);
      return last;
    },
    close: () => agent.destroy(),
  };
}

/** Wraps requestAnimationFrame so the time from a frame callback to the end of the work it caused can be read. */
const RENDER_PROBE = () => {
  const samples: number[] = [];
  (window as unknown as { fgRender: number[] }).fgRender = samples;
  const original = window.requestAnimationFrame.bind(window);
  const channel = new MessageChannel();
  let pending: number | null = null;
  channel.port1.onmessage = () => {
    if (pending !== null) samples.push(performance.now() - pending);
    pending = null;
  };
  window.requestAnimationFrame = (callback) =>
    original((time) => {
      const start = performance.now();
      callback(time);
      if (pending === null) {
        pending = start;
        channel.port2.postMessage(0); // runs after the microtasks (Lit's updates) and the frame's rendering
      }
    });
};

export async function runBrowser(
  server: BenchServer,
  options: { otherDashboards: number; events: number; burst: number; heapEvents: number; rate: number },
  log = console.log,
): Promise<BrowserResult> {
  const others = await runFanoutConnections(server, options.otherDashboards);
  const browser = await chromium.launch({
    executablePath: process.env.FG_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--js-flags=--expose-gc',
    ],
  });
  const sim = simulator(server);
  try {
    const context = await browser.newContext();
    await context.addInitScript(RENDER_PROBE);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.goto(`${server.url}/?consultant=${CONSULTANT}`);
    await page.waitForFunction(() => {
      const host = document.querySelector('fg-dashboard-provider') as unknown as {
        client?: { status: string };
      };
      return host?.client?.status === 'live';
    });
    const waitSeq = (seq: number) =>
      page.waitForFunction(
        (n) => {
          const host = document.querySelector('fg-dashboard-provider') as unknown as {
            client: { state: { snapshot: { seq: number } | null } };
          };
          return (host.client.state.snapshot?.seq ?? 0) >= n;
        },
        seq,
        { timeout: 120_000, polling: 100 },
      );
    const heap = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      await cdp.send('HeapProfiler.collectGarbage');
      return (await cdp.send('Runtime.getHeapUsage')).usedSize;
    };

    // 1. Steady updates: event-to-DOM latency and render time per update.
    log(
      `  ${options.events} events at ${options.rate}/s with ${options.otherDashboards} other dashboards connected`,
    );
    await waitSeq(await sim.play(options.events, options.rate));
    const telemetry = await page.evaluate(() => {
      const host = document.querySelector('fg-dashboard-provider') as unknown as {
        client: { metrics(): { eventToDomLatency: unknown } };
      };
      return host.client.metrics();
    });
    const render = await page.evaluate(() =>
      (window as unknown as { fgRender: number[] }).fgRender.splice(0),
    );

    // 2. A burst of events as fast as the server takes them: long tasks.
    await page.evaluate(() => {
      const tasks: number[] = [];
      (window as unknown as { fgLongTasks: number[] }).fgLongTasks = tasks;
      new PerformanceObserver((list) => list.getEntries().forEach((e) => tasks.push(e.duration))).observe({
        type: 'longtask',
      });
    });
    log(`  burst of ${options.burst} events`);
    await waitSeq(await sim.play(options.burst, 100_000));
    await page.evaluate(
      () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 100))),
    );
    const longTasks = await page.evaluate(() => (window as unknown as { fgLongTasks: number[] }).fgLongTasks);

    // 3. Heap after GC before and after many events.
    const before = await heap();
    log(`  ${options.heapEvents} events for the heap`);
    await waitSeq(await sim.play(options.heapEvents, 100_000));
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 500)));
    const after = await heap();

    const eventToDom = (telemetry as { eventToDomLatency: Percentiles }).eventToDomLatency;
    return {
      otherDashboards: options.otherDashboards,
      events: options.events,
      eventToDom,
      renderPerUpdate: percentiles(render),
      burst: { events: options.burst, longTasks, longestTaskMs: Math.max(0, ...longTasks) },
      heap: {
        events: options.heapEvents,
        beforeBytes: before,
        afterBytes: after,
        growthBytes: after - before,
      },
    };
  } finally {
    sim.close();
    await browser.close();
    others.close();
  }
}
