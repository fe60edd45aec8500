// The results as a Markdown table (for the README) and as an HTML page with charts (inline
// SVG, no scripts, opens from disk in any browser).
import type { BenchRun } from './run.js';
import type { PlayStats } from './browser.js';
import type { FanoutResult } from './fanout.js';
import type { ReconnectScenario } from './reconnect.js';
import { FRAME_BOUNDS, HISTOGRAM_BOUNDS, rateReached } from './lib.js';

const ms = (x: number | undefined) =>
  x === undefined || Number.isNaN(x) ? 'n/a' : `${x < 10 ? x.toFixed(1) : x.toFixed(0)} ms`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A hundred connections grow the server's RSS by less than a collection gives back, so at
 * that size the growth (scaled to 1,000) says nothing; the JSON keeps the measured value.
 */
function rssPer1000(f: { connections: number; serverRssMbPer1000: number }): string {
  return f.connections < 1_000 ? '—' : `${f.serverRssMbPer1000.toFixed(1)} MB`;
}

interface Bar {
  what: string;
  story: string;
  bar: string;
  measured: string;
  /** `null`: nothing to judge (no bar, or not measured). */
  met: boolean | null;
  /** Shown beside the bar for information: not judged. */
  informational?: boolean;
}

const count = (n: number) => n.toLocaleString('en-US');
const rate = (perSecond: number) =>
  perSecond >= 100 ? count(Math.round(perSecond)) : perSecond.toFixed(1).replace(/\.0$/, '');

/** Runs on one node on SQLite. Older runs labelled the ten-dashboards-per-consultant load a setup of its own. */
const oneNode = (f: FanoutResult) => !f.setup || f.setup === '10 dashboards per consultant';

/** Dashboards per consultant of a fan-out load (each event reaches that many). */
const perConsultant = (f: FanoutResult) => f.connections / f.consultants;

/** A fan-out load's name in the tables: its transport, and what is not the usual one dashboard per consultant on one node. */
function fanoutLabel(f: FanoutResult): string {
  const notes = [
    ...(perConsultant(f) > 1 ? [`${rate(perConsultant(f))} dashboards per consultant`] : []),
    ...(f.setup && f.setup !== '10 dashboards per consultant' ? [f.setup] : []),
  ];
  return `${f.transport}${notes.length ? ` (${notes.join('; ')})` : ''}`;
}

/** The events/s a load asked for, and the rate it reached (when the run recorded it). */
function fanoutRate(f: FanoutResult): string {
  return `${rate(f.eventsPerSecond)}${f.achievedEventsPerSecond === undefined ? '' : ` (${rate(f.achievedEventsPerSecond)})`}`;
}

/** Send failures of a load, and what they answered. */
function failures(f: FanoutResult): string {
  if (!f.sendErrors) return '0';
  const why = Object.entries(f.sendFailures ?? {})
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  return `${f.sendErrors}${why ? ` (${why})` : ''}`;
}

/**
 * Met if `ok` and every other condition holds; missed if any does not; nothing to judge
 * (`null`) if `ok` but a condition is unknown (older runs did not record it).
 */
const judged = (ok: boolean, ...known: (boolean | null)[]): boolean | null =>
  !ok || known.includes(false) ? false : known.includes(null) ? null : true;

/**
 * What a fan-out load must show to meet the bar: its p99, every event of the load delivered to
 * every dashboard of its consultant, no send failed, and the rate it asked for reached.
 */
function fanoutMet(f: FanoutResult): boolean | null {
  return judged(
    f.latency.p99 <= 250 && f.sendErrors === 0 && f.deliveriesReceived === f.eventsSent * perConsultant(f),
    rateReached(f.achievedEventsPerSecond, f.eventsPerSecond),
  );
}

function fanoutMeasured(f: FanoutResult): string {
  const reached =
    f.achievedEventsPerSecond === undefined
      ? 'rate reached not recorded'
      : `${rate(f.achievedEventsPerSecond)} events/s reached`;
  return `${ms(f.latency.p99)} with ${count(f.connections)} dashboards, ${rate(perConsultant(f))} per consultant (${count(f.deliveriesReceived)}/${count(f.deliveriesExpected)} delivered, ${reached}, ${f.sendErrors} send failures)`;
}

/** A browser phase's events: how many, at what rate asked, and reached. */
function played(stats: PlayStats | undefined, events: number, asked: number | undefined): string {
  if (!stats) return `${count(events)} events${asked ? ` at ${rate(asked)}/s` : ''}`;
  return `${count(stats.events)} events at ${rate(stats.targetPerSecond)}/s, ${rate(stats.achievedPerSecond)}/s reached`;
}

/** Whether a browser load reached its rate: `null` when the run did not record it. */
const browserRate = (stats: PlayStats | undefined): boolean | null =>
  stats === undefined ? null : rateReached(stats.achievedPerSecond, stats.targetPerSecond);

export function bars(run: BenchRun): Bar[] {
  // The budgets are for one node; runs on other setups are rows of their own.
  const single = run.fanout.filter((f) => oneNode(f) && f.transport === 'websocket');
  // The bar's load: 10,000 WebSocket dashboards at 1,000 events/s, one per consultant (10,000
  // deliveries a second) and ten per consultant (100,000). Both must meet it. Of each kind, the
  // run with the most dashboards (a quick run has no 10,000).
  const largest = (runs: FanoutResult[]) => [...runs].sort((x, y) => y.connections - x.connections)[0];
  const fans = [
    largest(single.filter((f) => perConsultant(f) === 1)),
    largest(single.filter((f) => perConsultant(f) > 1)),
  ].filter((f) => f !== undefined);
  const fanMet =
    fans.length === 0
      ? null
      : judged(
          fans.length === 2 &&
            fans.every((f) => f.connections >= 10_000 && f.eventsPerSecond >= 1_000) &&
            perConsultant(fans[1]!) >= 10,
          ...fans.map(fanoutMet),
        );
  const cdn = run.sizes.find((s) => s.name.startsWith('CDN'));
  const b = run.browser;
  const r = run.reconnect;
  const others = b ? count(b.otherDashboards) : '0';
  const loaded = b?.eventCounts?.loaded;
  const alone = b?.loads?.alone;
  const withOthers = b?.loads?.loaded;
  // Older runs measured the frame alone; newer ones the message handling too.
  const update = b?.updateCost ?? b?.renderPerUpdate;
  const updateLoaded = b?.updateCostLoaded ?? b?.renderPerUpdateLoaded;
  const backToCurrent = (s: ReconnectScenario, connections: number) =>
    `${s.perClient.p95.toFixed(2)} s${s.missed ? ` (${s.missed} never)` : ''}${s.liveBefore !== undefined ? `; ${count(s.liveBefore)}/${count(connections)} live before` : ''}`;
  const unannounced = r?.networkUnannounced;
  return [
    {
      what: b
        ? `event commit -> painted (${b.eventToFrameEnd ? 'the next frame' : 'the end of its frame'}), p99, ${played(withOthers, b.events, b.rate)}, ${others} other dashboards`
        : 'event commit -> painted, p99',
      story: '< 5 s',
      bar: '<= 50 ms',
      measured: b
        ? `${ms(b.eventToDom.p99)}${b.eventToFrameEnd ? ` (to the end of its frame's work ${ms(b.eventToFrameEnd.p99)})` : ''}${loaded ? `; ${loaded.measured}/${loaded.committed} events measured, ${loaded.viaTimer} of them notified by the store's timer, ${loaded.notMeasured} not measured` : ''}`
        : 'n/a',
      met: b
        ? judged(
            b.eventToDom.p99 <= 50 && (loaded ? loaded.notMeasured === 0 : true),
            browserRate(withOthers),
          )
        : null,
    },
    {
      what: b
        ? `render per update (${b.updateCost ? 'its WebSocket messages + its frame' : 'its frame'}), p95, ${played(alone, b.events, b.rate)}`
        : 'render per update, p95',
      story: '< 100 ms',
      bar: '<= 4 ms',
      measured: b
        ? `${ms(update?.p95)} alone${b.messagePerUpdate ? ` (messages ${ms(b.messagePerUpdate.p95)}, frame ${ms(b.renderPerUpdate.p95)}, each p95)` : ' (frame only)'}; ${ms(updateLoaded?.p95)} beside ${others} other dashboards${withOthers ? ` (${rate(withOthers.achievedPerSecond)}/s reached)` : ''}; main thread CPU ${b.updateTasks ? `${ms(b.updateTasks.cpu.p95)} (messages ${ms(b.updateTasks.messageCpu.p95)})` : b.updateFrameTask ? `${ms(b.updateFrameTask.cpu.p95)} (frame only)` : 'n/a'}`
        : 'n/a',
      // Met only if met both ways.
      met: b
        ? judged(
            Math.max(update?.p95 ?? Infinity, updateLoaded?.p95 ?? Infinity) <= 4,
            browserRate(alone),
            browserRate(withOthers),
          )
        : null,
    },
    {
      what: b
        ? `longest task in a ${count(b.burst.events)}-event burst${b.loads ? ` (${b.loads.burst.seconds.toFixed(2)} s, ${rate(b.loads.burst.achievedPerSecond)} events/s)` : ''}`
        : 'longest task in a burst',
      story: 'no blocking',
      bar: '< 50 ms',
      measured: b
        ? `${ms(b.burst.longestTaskMs)}${b.burst.longestTaskCpuMs !== undefined ? ` (most CPU in one task ${ms(b.burst.longestTaskCpuMs)})` : ''}`
        : 'n/a',
      met: b ? b.burst.longestTaskMs < 50 : null,
    },
    {
      what: `heap growth after ${b ? count(b.heap.events) : 0} events, after GC`,
      story: 'no leaks over 2 h',
      bar: '<= 1 MB',
      measured: b
        ? Number.isNaN(b.heap.growthBytes)
          ? `n/a (${b.heap.error ?? 'failed'})`
          : `${kb(b.heap.growthBytes)}${b.heap.domNodesAfter !== undefined ? `; DOM nodes ${b.heap.domNodesBefore} -> ${b.heap.domNodesAfter}` : ''}`
        : 'n/a',
      // A leak of DOM nodes is a leak too, though it grows another heap than V8's.
      met:
        b && !Number.isNaN(b.heap.growthBytes)
          ? b.heap.growthBytes <= 1024 * 1024 &&
            (b.heap.domNodesAfter === undefined || b.heap.domNodesAfter - b.heap.domNodesBefore! <= 100)
          : null,
    },
    {
      what: fans.length
        ? `fan-out p99, ${fans.map((f) => `${count(f.connections)} WebSocket dashboards over ${count(f.consultants)} consultants`).join(' and ')}, ${rate(fans[0]!.eventsPerSecond)} events/s asked`
        : 'fan-out p99',
      story: '100 dashboards',
      bar: '10,000 dashboards (1 and 10 per consultant), 1,000 events/s, <= 250 ms',
      measured: fans.length ? fans.map(fanoutMeasured).join('; ') : 'n/a',
      met: fanMet,
    },
    {
      what: r
        ? `back to current after the network returns (the browser says \`online\`; ${r.network.outageSeconds.toFixed(1)} s outage, events meanwhile), p95 of ${count(r.connections)} clients`
        : 'back to current after the network returns',
      story: 'automatically',
      bar: '<= 1 s',
      measured: r ? backToCurrent(r.network, r.connections) : 'n/a',
      met: r ? r.network.perClient.p95 <= 1 && r.network.missed === 0 : null,
    },
    ...(unannounced
      ? [
          {
            what: `back to current after the network returns unannounced (no \`offline\`/\`online\`: the clients' own retries; ${unannounced.outageSeconds.toFixed(1)} s outage, events meanwhile), p95 of ${count(r!.connections)} clients`,
            story: 'automatically',
            bar: '<= 1 s (for information)',
            measured: backToCurrent(unannounced, r!.connections),
            met: null,
            informational: true,
          },
        ]
      : []),
    {
      what: r
        ? `live again after a server restart (${r.restart.outageSeconds.toFixed(1)} s down, backoff alone), p95 of ${count(r.connections)} clients`
        : 'live again after a server restart',
      story: 'automatically',
      bar: '(no bar)',
      measured: r ? backToCurrent(r.restart, r.connections) : 'n/a',
      met: null,
    },
    {
      what: 'CDN bundle, all elements + transport + Lit, min+gzip',
      story: '—',
      bar: '<= 20 KB',
      measured: cdn ? kb(cdn.gzipBytes) : 'n/a',
      met: cdn ? cdn.gzipBytes <= 20 * 1024 : null,
    },
  ];
}

function loadRange(run: BenchRun): string {
  const loads = (run.load ?? []).flatMap((l) => [l.start, l.end]);
  if (loads.length === 0) return 'unknown';
  return `${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}`;
}

const mark = (b: Pick<Bar, 'met' | 'informational'>) =>
  b.informational ? 'for information' : b.met === null ? '—' : b.met ? 'met' : 'missed';

/**
 * The loads the run played, in one line: a quick run's table must not pass for a full one's.
 */
function settingsLine(run: BenchRun): string {
  const parts: string[] = [];
  const fanout = run.fanout.filter(oneNode);
  if (fanout.length)
    parts.push(
      `fan-out ${fanout.map((f) => `${f.transport} x ${count(f.connections)}${perConsultant(f) > 1 ? ` (${rate(perConsultant(f))} per consultant)` : ''}, ${count(f.eventsSent)} events at ${rate(f.eventsPerSecond)}/s`).join('; ')}`,
    );
  const b = run.browser;
  if (b)
    parts.push(
      `browser ${count(b.events)} events at ${b.rate ? `${rate(b.rate)}/s` : 'the steady rate'} alone and again beside ${count(b.otherDashboards)} other dashboards, a burst of ${count(b.burst.events)}, ${count(b.heap.events)} for the heap`,
    );
  if (run.reconnect) parts.push(`reconnect ${count(run.reconnect.connections)} clients`);
  return `${run.mode === 'quick' ? 'Quick run (`--quick`), smaller loads than a full run' : 'Full run'}: ${parts.join('; ') || 'no loads'}.`;
}

export function renderTable(run: BenchRun): string {
  const lines = [
    `Latest \`npm run bench${run.mode === 'quick' ? ' -- --quick' : ''}\` (${run.date.slice(0, 10)}, ${run.machine.cores} cores, Node ${run.versions.node}; 1-minute load average ${loadRange(run)} while it ran, from other work on the machine too):`,
    '',
    '| what | the story asks | our bar | measured | |',
    '|---|---|---|---|---|',
    ...bars(run).map((b) => `| ${b.what} | ${b.story} | ${b.bar} | ${b.measured} | ${mark(b)} |`),
    '',
    settingsLine(run),
    '',
    '| transport | dashboards | events | events/s asked (reached) | p50 | p95 | p99 | max | delivered | send failures | server CPU | RSS per 1,000 | setup |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...run.fanout.map(
      (f) =>
        `| ${fanoutLabel(f)} | ${count(f.connections)} | ${count(f.eventsSent)} | ${fanoutRate(f)} | ${ms(f.latency.p50)} | ${ms(f.latency.p95)} | ${ms(f.latency.p99)} | ${ms(f.latency.max)} | ${f.deliveriesReceived}/${f.deliveriesExpected} | ${failures(f)} | ${f.serverCpuPercent.toFixed(0)}% | ${rssPer1000(f)} | ${f.connectionsPerSecond.toFixed(0)}/s |`,
    ),
  ];
  return lines.join('\n');
}

/**
 * Bars of `counts`, one per bucket of `bounds` (upper bounds in ms). `bar`, when given, is a
 * budget drawn as a dashed line between the buckets it separates.
 */
function histogramSvg(
  counts: number[],
  title: string,
  bounds: readonly number[] = HISTOGRAM_BOUNDS,
  bar?: number,
): string {
  const width = 420;
  const height = 160;
  const max = Math.max(1, ...counts);
  const total = counts.reduce((a, b) => a + b, 0);
  const bw = width / counts.length;
  const last = bounds[bounds.length - 2]!;
  const bars = counts
    .map((c, i) => {
      const h = (c / max) * (height - 40);
      const label = bounds[i] === Infinity ? `>${last < 1000 ? last : `${last / 1000}s`}` : `≤${bounds[i]}`;
      return `<rect x="${i * bw + 2}" y="${height - 20 - h}" width="${bw - 4}" height="${h}" fill="#3b6ea5"><title>${label} ms: ${c} of ${total}</title></rect><text x="${i * bw + bw / 2}" y="${height - 6}" font-size="9" text-anchor="middle">${label}</text>`;
    })
    .join('');
  const at = bar === undefined ? -1 : bounds.indexOf(bar);
  const line =
    at < 0
      ? ''
      : `<line x1="${(at + 1) * bw}" x2="${(at + 1) * bw}" y1="8" y2="${height - 18}" stroke="#b3261e" stroke-dasharray="4 3"/><text x="${(at + 1) * bw + 4}" y="16" font-size="10" fill="#b3261e">${bar} ms bar</text>`;
  return `<figure><svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(title)}">${bars}${line}</svg><figcaption>${esc(title)}</figcaption></figure>`;
}

/** Render per update and event-to-DOM as distributions, when the run has them. */
function browserSection(run: BenchRun): string {
  const h = run.browser?.histograms;
  if (!h) return '';
  const others = run.browser!.otherDashboards.toLocaleString('en-US');
  return `<h2>Browser</h2>
<p>Render per update: the time the client's WebSocket message listeners took for the messages an update frame shows (parse, validation, the store's apply), plus that frame, from its first callback to the end of its rendering (wall time); the frame alone; and the main thread's CPU time of the same kind of frame in a traced run.</p>
${h.update ? histogramSvg(h.update, 'render per update (messages + frame), this dashboard alone (ms, wall)', FRAME_BOUNDS, 4) : ''}${h.updateLoaded ? histogramSvg(h.updateLoaded, `render per update (messages + frame) beside ${others} other dashboards (ms, wall)`, FRAME_BOUNDS, 4) : ''}${histogramSvg(h.render, 'the update frame only, this dashboard alone (ms, wall)', FRAME_BOUNDS, 4)}${histogramSvg(h.renderLoaded, `the update frame only, beside ${others} other dashboards (ms, wall)`, FRAME_BOUNDS, 4)}${histogramSvg(h.frameCpu, 'update frame, main-thread CPU (ms, traced)', FRAME_BOUNDS, 4)}${histogramSvg(h.eventToDom, `event commit to painted (the next frame), beside ${others} other dashboards (ms)`, HISTOGRAM_BOUNDS, 50)}`;
}

function percentileLinesSvg(run: BenchRun, transport: string): string {
  const rows = run.fanout
    .filter((f) => f.transport === transport && !f.setup && perConsultant(f) === 1)
    .sort((a, b) => a.connections - b.connections);
  if (rows.length === 0) return '';
  const width = 420;
  const height = 200;
  const maxY = Math.max(1, ...rows.map((r) => r.latency.p99));
  const x = (i: number) =>
    40 + (rows.length === 1 ? (width - 60) / 2 : (i / (rows.length - 1)) * (width - 60));
  const y = (v: number) => height - 30 - (v / maxY) * (height - 50);
  const series = (['p50', 'p95', 'p99'] as const).map((p, k) => {
    const color = ['#2a9d8f', '#e9c46a', '#e76f51'][k];
    const pts = rows.map((r, i) => `${x(i)},${y(r.latency[p])}`).join(' ');
    return `<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts}"/>${rows.map((r, i) => `<circle cx="${x(i)}" cy="${y(r.latency[p])}" r="3" fill="${color}"><title>${p} ${ms(r.latency[p])}</title></circle>`).join('')}<text x="${width - 10}" y="${14 + k * 14}" font-size="11" text-anchor="end" fill="${color}">${p}</text>`;
  });
  const ticks = rows
    .map(
      (r, i) =>
        `<text x="${x(i)}" y="${height - 12}" font-size="10" text-anchor="middle">${r.connections}</text>`,
    )
    .join('');
  return `<figure><svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${transport} latency percentiles by load">${series.join('')}${ticks}<text x="4" y="14" font-size="10">${ms(maxY)}</text></svg><figcaption>${transport}: commit-to-receipt latency by number of dashboards</figcaption></figure>`;
}

export function renderReport(run: BenchRun): string {
  const table = bars(run)
    .map(
      (b) =>
        `<tr><td>${esc(b.what)}</td><td>${esc(b.story)}</td><td>${esc(b.bar)}</td><td>${esc(b.measured)}</td><td class="${b.met === false ? 'miss' : 'ok'}">${mark(b)}</td></tr>`,
    )
    .join('');
  const histograms = run.fanout
    .map((f) =>
      histogramSvg(
        f.histogram,
        `${fanoutLabel(f)}, ${count(f.connections)} dashboards, ${fanoutRate(f)} events/s asked (reached)`,
      ),
    )
    .join('');
  const sizes = run.sizes
    .map((s) => `<tr><td>${esc(s.name)}</td><td>${kb(s.minBytes)}</td><td>${kb(s.gzipBytes)}</td></tr>`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>FG Live benchmarks, ${esc(run.date)}</title>
<style>body{font:14px/1.5 system-ui,sans-serif;margin:2rem;max-width:70rem;color:#1d2733}table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccd;padding:.3rem .6rem;text-align:left}.miss{color:#b3261e;font-weight:600}.ok{color:#1b7f3b}figure{display:inline-block;margin:.5rem 1rem .5rem 0}figcaption{font-size:12px;color:#556}</style></head><body>
<h1>FG Live benchmarks</h1>
<p>${esc(run.mode)} run, ${esc(run.date)}; ${esc(run.machine.cpus)} × ${run.machine.cores}, ${run.machine.memoryGb} GB; Node ${esc(run.versions.node)}; ${esc(run.versions.chromium)}.</p>
<h2>Budgets</h2><table><tr><th>what</th><th>the story asks</th><th>our bar</th><th>measured</th><th></th></tr>${table}</table>
<h2>Fan-out latency by load</h2>${percentileLinesSvg(run, 'websocket')}${percentileLinesSvg(run, 'sse')}
<h2>Latency histograms</h2>${histograms}
${browserSection(run)}
<h2>Bundle sizes</h2><table><tr><th>bundle</th><th>min</th><th>min+gzip</th></tr>${sizes}</table>
${run.errors.length ? `<h2>Errors</h2><pre>${esc(run.errors.join('\n'))}</pre>` : ''}
</body></html>`;
}
