// The browser side: a headless Chromium page showing <fg-dashboard> for one consultant while
// the server commits events for it. Measures the cost per update (its WebSocket messages and
// its frame: the page's own cost, on a machine doing nothing else), then, with 1,000 other
// dashboards connected, event-to-DOM latency (server commit to the next frame after the one
// that rendered it, and the client's own telemetry), the cost per update again, long tasks
// during a burst, and the JS heap after GC; and the rate each phase's events reached.
import { chromium } from 'playwright-core';
import { readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import {
  FRAME_BOUNDS,
  histogram,
  mintToken,
  percentiles,
  taskCpu,
  tasksContaining,
  taskWall,
  type BenchServer,
  type Percentiles,
  type TraceEvent,
} from './lib.js';
import { runFanoutConnections } from './idle.js';
import { chromiumLaunchOptions } from '../scripts/chromium.mjs';

/** What became of the events played in one phase, for event-to-DOM. */
export interface EventCount {
  /** Committed by the server. */
  committed: number;
  /** Measured (in `eventToDom`), by the frame after the one that rendered them. */
  measured: number;
  /**
   * Notified by the store's timer fallback instead of an animation frame (no frame came within
   * 1 s, or the page was hidden): measured too, the first frame after the notification
   * rendering them.
   */
  viaTimer: number;
  /** Of those, notified while the page was hidden. */
  viaTimerHidden: number;
  /**
   * Never reached the page's views as events, so not measured: more than 100 applied between
   * two notifications (the store keeps the last 100), or caught up through a snapshot.
   */
  notMeasured: number;
}

export interface BrowserResult {
  otherDashboards: number;
  events: number;
  /** The rate the steady phases were asked for (events/s). Absent from older runs. */
  rate?: number;
  /**
   * Each phase's events as played: asked for, and reached (from the first request to the last
   * answer). The burst and the heap are asked for as fast as the server takes them. Absent
   * from older runs.
   */
  loads?: {
    warmUp: PlayStats;
    alone: PlayStats;
    traced: PlayStats;
    loaded: PlayStats;
    burst: PlayStats;
    heap?: PlayStats;
  };
  /**
   * Server commit to the timestamp of the first animation frame after the one that rendered
   * the event (the vsync at which that one is presented), measured by the bench in the page,
   * with the other dashboards connected. Runs without `eventToFrameEnd` measured it to the end
   * of the frame's main-thread work, and left out events notified by the store's timer.
   */
  eventToDom: Percentiles;
  /** Server commit to the end of the main-thread work of the frame that rendered the event. */
  eventToFrameEnd?: Percentiles;
  /** The events of the event-to-DOM phase (`loaded`) and of the one alone: measured or not, and how. */
  eventCounts?: { alone: EventCount; loaded: EventCount };
  /** As the client's own telemetry (`metrics().eventToDomLatency`) reports it, over every phase so far. */
  clientEventToDom: Percentiles;
  /** Everything `metrics()` said after the steady phase (clock offset, delivery latency, counters). */
  clientMetrics: unknown;
  /**
   * The cost of an update, with no other dashboard connected: the time the client's WebSocket
   * message listeners took for the messages it shows (parse, validation, the store's apply),
   * plus `renderPerUpdate`. The bar. Absent from older runs, whose bar was `renderPerUpdate`.
   */
  updateCost?: Percentiles;
  /** The same, while the other dashboards are connected. */
  updateCostLoaded?: Percentiles;
  /** The message listeners' part of `updateCost`, per update; and of `updateCostLoaded`. */
  messagePerUpdate?: Percentiles;
  messagePerUpdateLoaded?: Percentiles;
  /**
   * From the first callback of a frame in which the store notified to the end of that
   * frame's rendering, with no other dashboard connected: what the frame costs.
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
   * From the same trace, per update: the tasks that ran the client's message listeners since
   * the previous update frame (the whole task: the browser's dispatch too), and those plus the
   * update frame's task. Absent from older runs.
   */
  updateTasks?: { messageCpu: Percentiles; wall: Percentiles; cpu: Percentiles };
  /**
   * The distributions behind the percentiles above, for the report: render per update alone and
   * beside the other dashboards, the update cost both ways, and the traced frames' CPU time, in
   * `FRAME_BOUNDS` buckets; event-to-DOM in `HISTOGRAM_BOUNDS` buckets. Absent from runs older
   * than these fields (the update costs, from runs older than them).
   */
  histograms?: {
    render: number[];
    renderLoaded: number[];
    update?: number[];
    updateLoaded?: number[];
    frameCpu: number[];
    eventToDom: number[];
  };
  /** Alone: frames with an update, and events notified outside a frame (by the store's timer). */
  frames: { updated: number; unframedEvents: number };
  /** The same, with the other dashboards connected. Absent from older runs. */
  framesLoaded?: { updated: number; unframedEvents: number };
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
    /**
     * `count` events at `perSecond`, cycling through kinds. At most 32 requests are in flight:
     * past that, the next ones leave late, so the rate reached is measured, from the first
     * request to the last answer.
     */
    async play(count: number, perSecond: number): Promise<Played> {
      const seqs: number[] = [];
      const started = performance.now();
      let lastAnswer = started;
      const inflight = new Set<Promise<unknown>>();
      for (let i = 0; i < count; i++) {
        const due = started + (i / perSecond) * 1000;
        const wait = due - performance.now();
        if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
        const p = post({ consultantId: CONSULTANT, ...actions[i % actions.length] }).then((seq) => {
          seqs.push(seq);
          lastAnswer = performance.now();
          inflight.delete(p);
        });
        inflight.add(p);
        if (inflight.size >= 32) await Promise.race(inflight);
      }
      await Promise.all(inflight);
      const seconds = (lastAnswer - started) / 1000;
      return {
        lastSeq: Math.max(0, ...seqs),
        seqs,
        stats: { events: count, targetPerSecond: perSecond, seconds, achievedPerSecond: count / seconds },
      };
    },
    close: () => agent.destroy(),
  };
}

/** One load of events played to the page: what was asked, and what the server took. */
export interface PlayStats {
  events: number;
  targetPerSecond: number;
  /** From the first request sent to the last answer. */
  seconds: number;
  achievedPerSecond: number;
}

interface Played {
  lastSeq: number;
  /** The seq of every event committed, for telling which ones the page measured. */
  seqs: number[];
  stats: PlayStats;
}

/**
 * Installed before the page's scripts.
 *
 * Message handling: wraps `WebSocket.prototype.addEventListener`, so each `message` listener
 * the client adds is timed (parse, validation, the store's apply and its request for a frame):
 * the time is added up until the next frame that renders an update, and counted in that
 * update's cost.
 *
 * Frames: wraps requestAnimationFrame to know when each frame's callbacks begin, and posts
 * two tasks from the frame. A `user-blocking` task runs as soon as the frame's task, with its
 * style, layout, paint and commit, is done: that is the end of the frame's rendering. An
 * ordinary message runs after whatever else was queued meanwhile (the next event's WebSocket
 * message, a timer): kept for comparison, as "to the next ordinary task".
 *
 * `watch(client)` then marks the frames in which the store notified the views. For those
 * frames only it records the render time (first frame callback to the end of the frame's
 * rendering), the update's cost (that plus the message handling since the last update), and,
 * for each event the frame showed, commit (`at`, server clock, same machine) to the next
 * animation frame's timestamp: Chromium begins that frame at the first vsync after this one
 * is committed to the compositor, the vsync at which this one is presented (never earlier
 * than the end of this frame's work). That is event-to-DOM measured from outside the client's
 * own telemetry; commit to the end of the frame's main-thread work is kept beside it. Events
 * the store notified from its timer fallback instead of a frame (no frame within 1 s, or a
 * hidden page) are measured the same way, the first frame after the notification rendering
 * them, and counted.
 */
const RENDER_PROBE = () => {
  const probe = {
    /** Per update frame: its first callback to the end of its rendering. */
    render: [] as number[],
    renderToNextTask: [] as number[],
    /** Per update frame: time in the client's message listeners since the previous update frame. */
    message: [] as number[],
    /** Per update frame: message handling plus render. */
    update: [] as number[],
    /** Per event: commit to the timestamp of the next frame after the one that rendered it. */
    eventToDom: [] as number[],
    /** Per event: commit to the end of the frame's main-thread work. */
    eventToFrameEnd: [] as number[],
    /** The seq of every event measured in `eventToDom`. */
    measuredSeqs: [] as number[],
    frames: 0,
    /** Events notified from the store's timer, not from a frame (measured, to the next frame). */
    unframed: 0,
    /** Of those, notified while the page was hidden. */
    unframedHidden: 0,
    messages: 0,
    enabled: true,
    /** Marks update frames and messages for the trace (a mark costs about 20 µs, inside the task it measures). */
    marking: false,
  };
  interface Frame {
    start: number;
    updated: { at: number; seq: number }[] | null;
    message: number;
  }
  /** The frame whose callbacks are running, until its rendering ends. */
  let current: Frame | null = null;
  /** Frames waiting for their ordinary message. */
  const waiting: Frame[] = [];
  /** Time in message listeners since the last update frame. */
  let messageTime = 0;
  const channel = new MessageChannel();
  channel.port1.onmessage = () => {
    const frame = waiting.shift();
    if (frame?.updated && probe.enabled) probe.renderToNextTask.push(performance.now() - frame.start);
  };
  const { scheduler } = window as unknown as {
    scheduler: { postTask(task: () => void, options: { priority: 'user-blocking' }): Promise<void> };
  };
  const addListener = WebSocket.prototype.addEventListener;
  WebSocket.prototype.addEventListener = function (
    this: WebSocket,
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ) {
    if (type !== 'message' || typeof listener !== 'function')
      return addListener.call(this, type, listener!, options);
    // Inline, as every function here: the page gets this function's source, without the
    // helpers a named one would need.
    return addListener.call(
      this,
      type,
      function (this: WebSocket, event: Event) {
        const start = performance.now();
        if (probe.marking) performance.mark('fg-message'); // finds this task in the trace
        try {
          listener.call(this, event);
        } finally {
          messageTime += performance.now() - start;
          probe.messages++;
        }
      },
      options,
    );
  } as typeof WebSocket.prototype.addEventListener;
  const original = window.requestAnimationFrame.bind(window);
  const painted = {
    /**
     * Records the events as painted at the next frame's time (its `requestAnimationFrame`
     * timestamp: the vsync it began at, when the frame before it is presented), and never
     * before `notBefore` (ms since the epoch): the end of their frame's rendering, or their
     * notification.
     */
    nextFrame(events: readonly { at: number; seq: number }[], notBefore: number) {
      original((time) => {
        if (!probe.enabled) return;
        const paintedAt = Math.max(notBefore, Date.now() - (performance.now() - time));
        for (const event of events) {
          probe.eventToDom.push(paintedAt - event.at);
          probe.measuredSeqs.push(event.seq);
        }
      });
    },
  };
  window.requestAnimationFrame = (callback) =>
    original((time) => {
      if (current === null) {
        const frame: Frame = (current = { start: performance.now(), updated: null, message: 0 });
        probe.frames++;
        waiting.push(frame);
        channel.port2.postMessage(0);
        void scheduler.postTask(
          () => {
            if (current === frame) current = null;
            if (!frame.updated || !probe.enabled) return;
            const render = performance.now() - frame.start;
            probe.render.push(render);
            probe.message.push(frame.message);
            probe.update.push(frame.message + render);
            const now = Date.now();
            for (const event of frame.updated) probe.eventToFrameEnd.push(now - event.at);
            // A callback asked for now runs in the next frame: this one is done.
            painted.nextFrame(frame.updated, now);
          },
          { priority: 'user-blocking' },
        );
      }
      callback(time);
    });
  type Client = {
    subscribe(
      selector: (s: { recentEvents: readonly { at: number; seq: number }[] }) => unknown,
      listener: (events: { at: number; seq: number }[]) => void,
    ): () => void;
  };
  (window as unknown as { fgProbe: unknown }).fgProbe = {
    probe,
    watch(client: Client) {
      client.subscribe(
        (state) => state.recentEvents,
        (events) => {
          if (!probe.enabled) return;
          if (current === null) {
            // From the store's timer: the views update now, the next frame renders them, and
            // the frame after it begins when that one is presented. Their messages' time goes
            // with them: no frame of the render times shows these events.
            probe.unframed += events.length;
            if (document.visibilityState === 'hidden') probe.unframedHidden += events.length;
            messageTime = 0;
            original(() => painted.nextFrame(events, Date.now()));
            return;
          }
          // Notified inside the store's frame callback: this frame renders the update, and the
          // messages handled since the last update frame are its own.
          if (!current.updated) {
            current.message = messageTime;
            messageTime = 0;
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
  message: number[];
  update: number[];
  eventToDom: number[];
  eventToFrameEnd: number[];
  measuredSeqs: number[];
  frames: number;
  /** Events whose notification came from the store's timer fallback, not from a frame. */
  unframed: number;
  unframedHidden: number;
  messages: number;
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

/**
 * Per update frame of a trace (the main-thread tasks that contain an `fg-update` mark): its
 * wall and CPU time (ms), and the CPU time of the tasks that ran message listeners (an
 * `fg-message` mark) since the previous update frame.
 */
function updateTasks(trace: { traceEvents: TraceEvent[] }): {
  frame: { wall: number[]; cpu: number[] };
  messageCpu: number[];
  wall: number[];
  cpu: number[];
} {
  const marks = trace.traceEvents.filter((e) => e.name === 'fg-update');
  const result = {
    frame: { wall: [] as number[], cpu: [] as number[] },
    messageCpu: [] as number[],
    wall: [] as number[],
    cpu: [] as number[],
  };
  if (marks.length === 0) return result;
  const frames = tasksContaining(trace.traceEvents, marks[0]!, marks);
  const messages = tasksContaining(
    trace.traceEvents,
    marks[0]!,
    trace.traceEvents.filter((e) => e.name === 'fg-message'),
  );
  let m = 0;
  for (const frame of frames) {
    let messageWall = 0;
    let messageCpu = 0;
    for (; m < messages.length && messages[m]!.ts < frame.ts; m++) {
      messageWall += taskWall(messages[m]!);
      messageCpu += taskCpu(messages[m]!);
    }
    result.frame.wall.push(taskWall(frame));
    result.frame.cpu.push(taskCpu(frame));
    result.messageCpu.push(messageCpu);
    result.wall.push(taskWall(frame) + messageWall);
    result.cpu.push(taskCpu(frame) + messageCpu);
  }
  return result;
}

/** What became of a phase's events, from the seqs the server committed and the probe's reading. */
function eventCount(seqs: readonly number[], probe: Probe): EventCount {
  const measured = new Set(probe.measuredSeqs);
  return {
    committed: seqs.length,
    measured: seqs.filter((seq) => measured.has(seq)).length,
    viaTimer: probe.unframed,
    viaTimerHidden: probe.unframedHidden,
    notMeasured: seqs.filter((seq) => !measured.has(seq)).length,
  };
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
  const logRate = (phase: string, stats: PlayStats) =>
    log(
      `  ${phase}: ${stats.events} events in ${stats.seconds.toFixed(2)} s, ${stats.achievedPerSecond.toFixed(1)}/s of ${stats.targetPerSecond}`,
    );
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
        const copy: Probe = {
          ...probe,
          render: probe.render.splice(0),
          renderToNextTask: probe.renderToNextTask.splice(0),
          message: probe.message.splice(0),
          update: probe.update.splice(0),
          eventToDom: probe.eventToDom.splice(0),
          eventToFrameEnd: probe.eventToFrameEnd.splice(0),
          measuredSeqs: probe.measuredSeqs.splice(0),
        };
        probe.unframed = 0;
        probe.unframedHidden = 0;
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
    /**
     * Until the page holds the phase's last event and the probe has measured it (its frame, then
     * the next one; or the store's timer, up to 1 s, then a frame), at most 3 s more; then 200 ms
     * for the frames' ordinary tasks.
     */
    const waitPlayed = async ({ lastSeq }: Played) => {
      await waitSeq(lastSeq);
      await page
        .waitForFunction(
          (n) =>
            (
              window as unknown as { fgProbe: { probe: { measuredSeqs: number[] } } }
            ).fgProbe.probe.measuredSeqs.includes(n),
          lastSeq,
          { timeout: 3_000, polling: 50 },
        )
        .catch(() => undefined);
      await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 200)));
    };
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
    const warmUpPlayed = await sim.play(WARM_UP, options.rate);
    await waitPlayed(warmUpPlayed);
    const warmUp = await readProbe();
    const alonePlayed = await sim.play(options.events, options.rate);
    await waitPlayed(alonePlayed);
    const quiet = await readProbe();
    logRate('alone', alonePlayed.stats);

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
    const tracedPlayed = await sim.play(tracedEvents, options.rate);
    await waitPlayed(tracedPlayed);
    await setMarking(false);
    const traced = updateTasks(JSON.parse((await browser.stopTracing()).toString('utf8')));
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
    const loadedPlayed = await sim.play(options.events, options.rate);
    await waitPlayed(loadedPlayed);
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
    logRate('with the others', loadedPlayed.stats);
    const counts = {
      alone: eventCount(alonePlayed.seqs, quiet),
      loaded: eventCount(loadedPlayed.seqs, steady),
    };
    for (const [phase, count] of Object.entries(counts))
      if (count.viaTimer || count.notMeasured)
        log(
          `  ${phase}: ${count.viaTimer} events notified by the store's timer (${count.viaTimerHidden} hidden), ${count.notMeasured} never notified as events`,
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
    // Traced lightly: a task can be long because the machine's other work took the CPU from it.
    await browser.startTracing(page, { screenshots: false, categories: ['toplevel'] });
    const burstPlayed = await sim.play(options.burst, 100_000);
    await waitSeq(burstPlayed.lastSeq);
    log(
      `  ${options.burst} events in ${burstPlayed.stats.seconds.toFixed(2)} s (${burstPlayed.stats.achievedPerSecond.toFixed(0)}/s)`,
    );
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
    let heapPlayed: Played | undefined;
    try {
      heapPlayed = await sim.play(options.heapEvents, 100_000);
      await waitSeq(heapPlayed.lastSeq);
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
      rate: options.rate,
      loads: {
        warmUp: warmUpPlayed.stats,
        alone: alonePlayed.stats,
        traced: tracedPlayed.stats,
        loaded: loadedPlayed.stats,
        burst: burstPlayed.stats,
        ...(heapPlayed ? { heap: heapPlayed.stats } : {}),
      },
      eventToDom: percentiles(steady.eventToDom),
      eventToFrameEnd: percentiles(steady.eventToFrameEnd),
      eventCounts: counts,
      clientEventToDom: telemetry.eventToDomLatency as Percentiles,
      clientMetrics: telemetry,
      updateCost: percentiles(quiet.update),
      updateCostLoaded: percentiles(steady.update),
      messagePerUpdate: percentiles(quiet.message),
      messagePerUpdateLoaded: percentiles(steady.message),
      renderPerUpdate: percentiles(quiet.render),
      renderToNextTask: percentiles(quiet.renderToNextTask),
      renderPerUpdateLoaded: percentiles(steady.render),
      renderPerUpdateWarmUp: percentiles(warmUp.render),
      updateFrameTask: { wall: percentiles(traced.frame.wall), cpu: percentiles(traced.frame.cpu) },
      updateTasks: {
        messageCpu: percentiles(traced.messageCpu),
        wall: percentiles(traced.wall),
        cpu: percentiles(traced.cpu),
      },
      histograms: {
        render: histogram(quiet.render, FRAME_BOUNDS),
        renderLoaded: histogram(steady.render, FRAME_BOUNDS),
        update: histogram(quiet.update, FRAME_BOUNDS),
        updateLoaded: histogram(steady.update, FRAME_BOUNDS),
        frameCpu: histogram(traced.frame.cpu, FRAME_BOUNDS),
        eventToDom: histogram(steady.eventToDom),
      },
      frames: { updated: quiet.render.length, unframedEvents: quiet.unframed },
      framesLoaded: { updated: steady.render.length, unframedEvents: steady.unframed },
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
