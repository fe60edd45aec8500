// The browser side: a headless Chromium page showing <fg-dashboard> for one consultant while
// the server commits events for it. Measures render time per update (the page's own cost, on
// a machine doing nothing else), then, with 1,000 other dashboards connected, event-to-DOM
// latency (server commit to the painted frame, and the client's own telemetry), render time
// again, long tasks during a burst, and the JS heap after GC.
import { chromium } from 'playwright-core';
import { readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import {
  FRAME_BOUNDS,
  histogram,
  mintToken,
  percentiles,
  tasksAround,
  type BenchServer,
  type Percentiles,
  type TraceEvent,
} from './lib.js';
import { runFanoutConnections } from './idle.js';
import { chromiumLaunchOptions } from '../scripts/chromium.mjs';

export interface BrowserResult {
  otherDashboards: number;
  events: number;
  /** Server commit to the end of the frame that showed the event, measured by the bench in the page. */
  eventToDom: Percentiles;
  /** As the client's own telemetry (`metrics().eventToDomLatency`) reports it, over every phase so far. */
  clientEventToDom: Percentiles;
  /** Everything `metrics()` said after the steady phase (clock offset, delivery latency, counters). */
  clientMetrics: unknown;
  /**
   * From the first callback of a frame in which the store notified to the end of that
   * frame's rendering, with no other dashboard connected: what the page's own work costs.
   */
  renderPerUpdate: Percentiles;
  /** The same frames, to the first ordinary task after them: adds whatever was queued meanwhile. */
  renderToNextTask: Percentiles;
  /**
   * Render per update while the other dashboards are connected (the event-to-DOM phase): on
   * one machine, the frames also wait for the CPU the server and the load process take.
   */
  renderPerUpdateLoaded: Percentiles;
  /** Render per update over the first updates after the page loaded (the warm-up, not in the others). */
  renderPerUpdateWarmUp: Percentiles;
  /**
   * From a traced run of the same updates (tracing slows the page somewhat): the browser's task that ran each update frame (animation frame callbacks,
   * style, layout, paint, commit), in wall time and in the main thread's CPU time.
   */
  updateFrameTask: { wall: Percentiles; cpu: Percentiles };
  /**
   * The distributions behind the percentiles above, for the report: render per update alone and
   * beside the other dashboards, and the traced frames' CPU time, in `FRAME_BOUNDS` buckets;
   * event-to-DOM in `HISTOGRAM_BOUNDS` buckets. Absent from runs older than these fields.
   */
  histograms?: { render: number[]; renderLoaded: number[]; frameCpu: number[]; eventToDom: number[] };
  /** Frames with an update, and events notified outside a frame (not measured). */
  frames: { updated: number; unframedEvents: number };
  burst: {
    events: number;
    longTasks: number[];
    longestTaskMs: number;
    /** From a trace of the burst: the most CPU time one main-thread task took. */
    longestTaskCpuMs?: number;
    /** CPU time of each task that lasted 50 ms or more by the wall clock. */
    tasksOver50msCpu?: number[];
  };
  heap: {
    events: number;
    beforeBytes: number;
    afterBytes: number;
    growthBytes: number;
    /** Live DOM nodes (CDP `Memory.getDOMCounters`) before and after, after GC. */
    domNodesBefore?: number;
    domNodesAfter?: number;
    error?: string;
  };
}

const CONSULTANT = 'c-story';
/** Updates before the measured ones, while the page's code is compiled and optimized. */
const WARM_UP = 200;
/** FG_BENCH_BUNDLE measures another build, e.g. an unminified one for a readable profile. */
const CDN_BUNDLE = process.env.FG_BENCH_BUNDLE ?? 'packages/elements/dist/cdn/fg-dashboard.js';

export function simulator(server: BenchServer) {
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  // A kept-alive socket the server has just timed out fails with ECONNRESET before the request
  // is read: such a request is sent again (nothing was committed).
  const post = (body: object, retries = 3): Promise<number> =>
    postOnce(body).catch((error: NodeJS.ErrnoException) =>
      retries > 0 && (error.code === 'ECONNRESET' || error.code === 'EPIPE')
        ? post(body, retries - 1)
        : Promise.reject(error),
    );
  const postOnce = (body: object) =>
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
  const only = process.env.FG_BENCH_ACTIONS?.split(',');
  if (only) actions.splice(0, actions.length, ...actions.filter((a) => only.includes(a.action)));
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

/**
 * Installed before the page's scripts. Wraps requestAnimationFrame to know when each frame's
 * callbacks begin, and posts two tasks from the frame. A `user-blocking` task runs as soon as
 * the frame's task, with its style, layout, paint and commit, is done: that is the end of the
 * frame's rendering. An ordinary message runs after whatever else was queued meanwhile (the
 * next event's WebSocket message, a timer): kept for comparison, as "to the next ordinary
 * task". `watch(client)` then marks the frames in which the store notified the views: for those
 * frames only it records the render time (first frame callback to the end of the frame's
 * rendering) and, for each event the frame showed, commit (`at`, server clock, same machine)
 * to that end: event-to-DOM measured from outside the client's own telemetry.
 */
const RENDER_PROBE = () => {
  const probe = {
    render: [] as number[],
    renderToNextTask: [] as number[],
    eventToDom: [] as number[],
    frames: 0,
    unframed: 0,
    enabled: true,
    /** Marks update frames for the trace (a mark costs about 20 µs, inside the frame it measures). */
    marking: false,
  };
  interface Frame {
    start: number;
    updated: { at: number }[] | null;
  }
  /** The frame whose callbacks are running, until its rendering ends. */
  let current: Frame | null = null;
  /** Frames waiting for their ordinary message. */
  const waiting: Frame[] = [];
  const channel = new MessageChannel();
  channel.port1.onmessage = () => {
    const frame = waiting.shift();
    if (frame?.updated && probe.enabled) probe.renderToNextTask.push(performance.now() - frame.start);
  };
  const { scheduler } = window as unknown as {
    scheduler: { postTask(task: () => void, options: { priority: 'user-blocking' }): Promise<void> };
  };
  const original = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (callback) =>
    original((time) => {
      if (current === null) {
        const frame: Frame = (current = { start: performance.now(), updated: null });
        probe.frames++;
        waiting.push(frame);
        channel.port2.postMessage(0);
        // Inline: the page gets this function's source, without the helpers a named one would need.
        void scheduler.postTask(
          () => {
            if (current === frame) current = null;
            if (!frame.updated || !probe.enabled) return;
            probe.render.push(performance.now() - frame.start);
            const now = Date.now();
            for (const event of frame.updated) probe.eventToDom.push(now - event.at);
          },
          { priority: 'user-blocking' },
        );
      }
      callback(time);
    });
  type Client = {
    subscribe(
      selector: (s: { recentEvents: readonly { at: number }[] }) => unknown,
      listener: (events: { at: number }[]) => void,
    ): () => void;
  };
  (window as unknown as { fgProbe: unknown }).fgProbe = {
    probe,
    watch(client: Client) {
      client.subscribe(
        (state) => state.recentEvents,
        (events) => {
          // Notified inside the store's frame callback: this frame renders the update.
          if (!probe.enabled) return;
          if (current === null) {
            probe.unframed += events.length;
            return;
          }
          current.updated = (current.updated ?? []).concat(events);
          if (probe.marking) performance.mark('fg-update'); // finds this frame's task in the trace
        },
      );
    },
  };
};

interface Probe {
  render: number[];
  renderToNextTask: number[];
  eventToDom: number[];
  frames: number;
  /** Events whose notification came from the store's timer fallback, not from a frame. */
  unframed: number;
}

/** Wall and CPU time (ms) of every task on the page's main thread. */
function mainThreadTasks(trace: { traceEvents: (TraceEvent & { args?: { name?: string } })[] }) {
  // The page's renderer is the busiest one (there may be a spare).
  const tasks = new Map<string, TraceEvent[]>();
  for (const e of trace.traceEvents) {
    if (e.ph !== 'X' || e.name !== 'ThreadControllerImpl::RunTask') continue;
    const key = `${e.pid}:${e.tid}`;
    tasks.set(key, [...(tasks.get(key) ?? []), e]);
  }
  const renderers = trace.traceEvents
    .filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
    .map((e) => tasks.get(`${e.pid}:${e.tid}`) ?? []);
  const busiest = renderers.sort((a, b) => b.length - a.length)[0] ?? [];
  return busiest.map((e) => ({ wall: e.dur! / 1000, cpu: (e.tdur ?? e.dur!) / 1000 }));
}

/** Wall and CPU time (ms) of the main-thread tasks that contain an `fg-update` mark. */
function updateFrames(trace: { traceEvents: TraceEvent[] }): { wall: number[]; cpu: number[] } {
  const marks = trace.traceEvents.filter((e) => e.name === 'fg-update');
  if (marks.length === 0) return { wall: [], cpu: [] };
  return tasksAround(trace.traceEvents, marks[0]!, marks);
}

export async function runBrowser(
  server: BenchServer,
  options: { otherDashboards: number; events: number; burst: number; heapEvents: number; rate: number },
  log = console.log,
): Promise<BrowserResult> {
  let others: { close(): void } | undefined;
  const browser = await chromium.launch(
    chromiumLaunchOptions([
      '--js-flags=--expose-gc',
      // The bench page is fulfilled by the bench (no address of its own): Local Network Access
      // would treat it as public and block its WebSocket to the loopback server.
      '--disable-features=LocalNetworkAccessChecks',
    ]),
  );
  const sim = simulator(server);
  try {
    const context = await browser.newContext();
    await context.addInitScript(RENDER_PROBE);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    // A page with nothing but the dashboard, on the shipped CDN bundle, at the server's origin
    // (its Origin allow-list): the demo page would add its own simulator's renders to every update.
    const token = await mintToken(CONSULTANT, 24 * 3600);
    await page.route(`${server.url}/__bench/**`, (route) =>
      route.request().url().endsWith('.js')
        ? route.fulfill({ contentType: 'text/javascript', body: readFileSync(CDN_BUNDLE, 'utf8') })
        : route.fulfill({
            contentType: 'text/html',
            body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bench</title>
<script type="module" src="/__bench/fg-dashboard.js"></script></head><body>
<fg-dashboard-provider endpoint="${server.url}" token="${token}"><fg-dashboard></fg-dashboard></fg-dashboard-provider>
</body></html>`,
          }),
    );
    await page.goto(`${server.url}/__bench/index.html`);
    await page.waitForFunction(() => {
      const host = document.querySelector('fg-dashboard-provider') as unknown as {
        client?: { status: string };
      };
      return host?.client?.status === 'live';
    });
    await page.evaluate(() => {
      const w = window as unknown as { fgProbe: { watch(client: unknown): void } };
      w.fgProbe.watch(
        (document.querySelector('fg-dashboard-provider') as unknown as { client: unknown }).client,
      );
    });
    const readProbe = () =>
      page.evaluate(() => {
        const { probe } = (window as unknown as { fgProbe: { probe: Probe & { enabled: boolean } } }).fgProbe;
        const copy = {
          ...probe,
          render: probe.render.splice(0),
          renderToNextTask: probe.renderToNextTask.splice(0),
          eventToDom: probe.eventToDom.splice(0),
        };
        probe.unframed = 0;
        return copy;
      });
    const setMarking = (on: boolean) =>
      page.evaluate((value) => {
        (window as unknown as { fgProbe: { probe: { marking: boolean } } }).fgProbe.probe.marking = value;
      }, on);
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
    // DOM nodes live outside the JS heap: a node leak shows here, not in the heap.
    const domNodes = async () => (await cdp.send('Memory.getDOMCounters')).nodes;

    // 1. Steady updates on a quiet machine: render time per update, the page's own cost. After
    // a warm-up, not measured: the first updates also run code not yet compiled.
    log(`  ${WARM_UP} events to warm up, then ${options.events} at ${options.rate}/s, this dashboard alone`);
    await readProbe(); // the first render (the snapshot) is not an update
    await waitSeq(await sim.play(WARM_UP, options.rate));
    const warmUp = await readProbe();
    await waitSeq(await sim.play(options.events, options.rate));
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 200)));
    const quiet = await readProbe();

    // 1b. The same updates again, traced, to tell the main thread's CPU time per update frame
    // from its wall time (on a shared machine a frame also waits for the CPU). Apart from the
    // steady phase: tracing costs time of its own, and would show in the latencies above.
    const tracedEvents = Math.min(options.events, 500);
    log(`  ${tracedEvents} events traced`);
    const trace = process.env.FG_BENCH_TRACE;
    await browser.startTracing(page, {
      path: trace,
      screenshots: false,
      categories: [
        'toplevel',
        'devtools.timeline',
        'blink.user_timing',
        ...(process.env.FG_BENCH_TRACE_CATS?.split(',') ?? []),
      ],
    });
    await setMarking(true);
    await waitSeq(await sim.play(tracedEvents, options.rate));
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 200)));
    await setMarking(false);
    const frameTimes = updateFrames(JSON.parse((await browser.stopTracing()).toString('utf8')));
    if (trace) log(`  wrote the trace to ${trace}`);
    await readProbe();

    // 1c. The same with the other dashboards connected: event-to-DOM latency under load.
    others = await runFanoutConnections(server, options.otherDashboards);
    log(
      `  ${options.events} events at ${options.rate}/s with ${options.otherDashboards} other dashboards connected`,
    );
    const profile = process.env.FG_BENCH_PROFILE;
    if (profile) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
      await cdp.send('Profiler.start');
    }
    await waitSeq(await sim.play(options.events, options.rate));
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 200)));
    if (profile) {
      const { profile: cpuProfile } = await cdp.send('Profiler.stop');
      writeFileSync(profile, JSON.stringify(cpuProfile));
      log(`  wrote the page's CPU profile of the steady phase to ${profile}`);
    }
    const telemetry = await page.evaluate(() => {
      const host = document.querySelector('fg-dashboard-provider') as unknown as {
        client: { metrics(): { eventToDomLatency: Percentiles } };
      };
      return host.client.metrics();
    });
    const steady = await readProbe();

    // 2. A burst of events as fast as the server takes them: long tasks.
    await page.evaluate(() => {
      const tasks: number[] = [];
      (window as unknown as { fgLongTasks: number[] }).fgLongTasks = tasks;
      new PerformanceObserver((list) => list.getEntries().forEach((e) => tasks.push(e.duration))).observe({
        type: 'longtask',
      });
    });
    log(`  burst of ${options.burst} events`);
    // Traced lightly: a task can be long because the machine's other work took the CPU from it.
    await browser.startTracing(page, { screenshots: false, categories: ['toplevel'] });
    await waitSeq(await sim.play(options.burst, 100_000));
    await page.evaluate(
      () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 100))),
    );
    const longTasks = await page.evaluate(() => (window as unknown as { fgLongTasks: number[] }).fgLongTasks);
    const burstTasks = mainThreadTasks(JSON.parse((await browser.stopTracing()).toString('utf8')));

    // 3. Heap after GC before and after many events, with the probe off (its samples would grow the heap).
    await page.evaluate(() => {
      (window as unknown as { fgProbe: { probe: { enabled: boolean } } }).fgProbe.probe.enabled = false;
    });
    await readProbe();
    // Both readings once the page is idle: rows that left during the last 1.4 s (the longest
    // animation, a new row's highlight) are only let go once their frames have run.
    const settle = () => page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 2_000)));
    await settle();
    const before = await heap();
    const nodesBefore = await domNodes();
    log(`  ${options.heapEvents} events for the heap`);
    let after = NaN;
    let nodesAfter = NaN;
    let heapError: string | undefined;
    try {
      await waitSeq(await sim.play(options.heapEvents, 100_000));
      await settle();
      after = await heap();
      nodesAfter = await domNodes();
    } catch (error) {
      // The phases before stand on their own: keep them, and say what went wrong here.
      heapError = String(error);
      log(`  heap phase failed: ${heapError}`);
    }

    return {
      otherDashboards: options.otherDashboards,
      events: options.events,
      eventToDom: percentiles(steady.eventToDom),
      clientEventToDom: telemetry.eventToDomLatency as Percentiles,
      clientMetrics: telemetry,
      renderPerUpdate: percentiles(quiet.render),
      renderToNextTask: percentiles(quiet.renderToNextTask),
      renderPerUpdateLoaded: percentiles(steady.render),
      renderPerUpdateWarmUp: percentiles(warmUp.render),
      updateFrameTask: { wall: percentiles(frameTimes.wall), cpu: percentiles(frameTimes.cpu) },
      histograms: {
        render: histogram(quiet.render, FRAME_BOUNDS),
        renderLoaded: histogram(steady.render, FRAME_BOUNDS),
        frameCpu: histogram(frameTimes.cpu, FRAME_BOUNDS),
        eventToDom: histogram(steady.eventToDom),
      },
      frames: { updated: quiet.render.length, unframedEvents: quiet.unframed },
      burst: {
        events: options.burst,
        longTasks,
        longestTaskMs: Math.max(0, ...longTasks),
        longestTaskCpuMs: Math.max(0, ...burstTasks.map((t) => t.cpu)),
        tasksOver50msCpu: burstTasks.filter((t) => t.wall >= 50).map((t) => t.cpu),
      },
      heap: {
        events: options.heapEvents,
        beforeBytes: before,
        afterBytes: after,
        growthBytes: after - before,
        domNodesBefore: nodesBefore,
        domNodesAfter: nodesAfter,
        ...(heapError ? { error: heapError } : {}),
      },
    };
  } finally {
    sim.close();
    await browser.close();
    others?.close();
  }
}
