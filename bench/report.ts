// The results as a Markdown table (for the README) and as an HTML page with charts (inline
// SVG, no scripts, opens from disk in any browser).
import type { BenchRun } from './run.js';
import { FRAME_BOUNDS, HISTOGRAM_BOUNDS } from './lib.js';

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
  met: boolean | null;
}

export function bars(run: BenchRun): Bar[] {
  // The budgets are for one node; runs on other setups are rows of their own.
  const oneNode = run.fanout.filter((f) => !f.setup);
  const ws10k = oneNode.find((f) => f.transport === 'websocket' && f.connections === 10_000);
  const wsMax = [...oneNode]
    .filter((f) => f.transport === 'websocket')
    .sort((a, b) => b.connections - a.connections)[0];
  const cdn = run.sizes.find((s) => s.name.startsWith('CDN'));
  const b = run.browser;
  const fan = ws10k ?? wsMax;
  const r = run.reconnect;
  return [
    {
      what: `event commit -> painted, p99 (${b?.otherDashboards ?? 0} other dashboards)`,
      story: '< 5 s',
      bar: '<= 50 ms',
      measured: b ? ms(b.eventToDom.p99) : 'n/a',
      met: b ? b.eventToDom.p99 <= 50 : null,
    },
    {
      what: 'render per update, p95',
      story: '< 100 ms',
      bar: '<= 4 ms',
      measured: b
        ? `${ms(b.renderPerUpdate.p95)} alone; ${b.renderPerUpdateLoaded ? ms(b.renderPerUpdateLoaded.p95) : 'n/a'} beside ${b.otherDashboards} other dashboards (main thread CPU ${b.updateFrameTask ? ms(b.updateFrameTask.cpu.p95) : 'n/a'})`
        : 'n/a',
      // Met only if met both ways.
      met: b ? Math.max(b.renderPerUpdate.p95, b.renderPerUpdateLoaded?.p95 ?? Infinity) <= 4 : null,
    },
    {
      what: `longest task in a ${b?.burst.events ?? 0}-event burst`,
      story: 'no blocking',
      bar: '< 50 ms',
      measured: b
        ? `${ms(b.burst.longestTaskMs)}${b.burst.longestTaskCpuMs !== undefined ? ` (most CPU in one task ${ms(b.burst.longestTaskCpuMs)})` : ''}`
        : 'n/a',
      met: b ? b.burst.longestTaskMs < 50 : null,
    },
    {
      what: `heap growth after ${b?.heap.events.toLocaleString('en-US') ?? 0} events, after GC`,
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
      what: fan
        ? `fan-out p99, ${fan.connections.toLocaleString('en-US')} WebSocket dashboards, ${fan.eventsPerSecond} events/s`
        : 'fan-out p99',
      story: '100 dashboards',
      bar: '10,000 dashboards, <= 250 ms',
      measured: fan
        ? `${ms(fan.latency.p99)} (${fan.deliveriesReceived}/${fan.deliveriesExpected} delivered)`
        : 'n/a',
      met: fan
        ? fan.connections >= 10_000 &&
          fan.latency.p99 <= 250 &&
          fan.deliveriesReceived === fan.deliveriesExpected
        : null,
    },
    {
      what: r
        ? `back to current after the network returns (${r.network.outageSeconds} s outage, events meanwhile), p95 of ${r.connections} clients`
        : 'back to current after the network returns',
      story: 'automatically',
      bar: '<= 1 s',
      measured: r
        ? `${r.network.perClient.p95.toFixed(2)} s${r.network.missed ? ` (${r.network.missed} never)` : ''}`
        : 'n/a',
      met: r ? r.network.perClient.p95 <= 1 && r.network.missed === 0 : null,
    },
    {
      what: r
        ? `live again after a server restart (${r.restart.outageSeconds.toFixed(1)} s down, backoff alone), p95 of ${r.connections} clients`
        : 'live again after a server restart',
      story: 'automatically',
      bar: '(no bar)',
      measured: r
        ? `${r.restart.perClient.p95.toFixed(2)} s${r.restart.missed ? ` (${r.restart.missed} never)` : ''}`
        : 'n/a',
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

export function renderTable(run: BenchRun): string {
  const mark = (met: boolean | null) => (met === null ? '—' : met ? 'met' : 'missed');
  const lines = [
    `Latest \`npm run bench${run.mode === 'quick' ? ' -- --quick' : ''}\` (${run.date.slice(0, 10)}, ${run.machine.cores} cores, Node ${run.versions.node}; 1-minute load average ${loadRange(run)} while it ran, from other work on the machine too):`,
    '',
    '| what | the story asks | our bar | measured | |',
    '|---|---|---|---|---|',
    ...bars(run).map((b) => `| ${b.what} | ${b.story} | ${b.bar} | ${b.measured} | ${mark(b.met)} |`),
    '',
    '| transport | dashboards | events/s | p50 | p95 | p99 | max | delivered | server CPU | RSS per 1,000 | setup |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...run.fanout.map(
      (f) =>
        `| ${f.transport}${f.setup ? ` (${f.setup})` : ''} | ${f.connections.toLocaleString('en-US')} | ${f.eventsPerSecond} | ${ms(f.latency.p50)} | ${ms(f.latency.p95)} | ${ms(f.latency.p99)} | ${ms(f.latency.max)} | ${f.deliveriesReceived}/${f.deliveriesExpected} | ${f.serverCpuPercent.toFixed(0)}% | ${rssPer1000(f)} | ${f.connectionsPerSecond.toFixed(0)}/s |`,
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
<p>Render per update: from the first callback of a frame that showed an update to the end of that frame's rendering (wall time), and the main thread's CPU time of the same kind of frame in a traced run.</p>
${histogramSvg(h.render, 'render per update, this dashboard alone (ms, wall)', FRAME_BOUNDS, 4)}${histogramSvg(h.renderLoaded, `render per update beside ${others} other dashboards (ms, wall)`, FRAME_BOUNDS, 4)}${histogramSvg(h.frameCpu, 'update frame, main-thread CPU (ms, traced)', FRAME_BOUNDS, 4)}${histogramSvg(h.eventToDom, `event commit to painted, beside ${others} other dashboards (ms)`, HISTOGRAM_BOUNDS, 50)}`;
}

function percentileLinesSvg(run: BenchRun, transport: string): string {
  const rows = run.fanout
    .filter((f) => f.transport === transport && !f.setup)
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
        `<tr><td>${esc(b.what)}</td><td>${esc(b.story)}</td><td>${esc(b.bar)}</td><td>${esc(b.measured)}</td><td class="${b.met === false ? 'miss' : 'ok'}">${b.met === null ? '—' : b.met ? 'met' : 'missed'}</td></tr>`,
    )
    .join('');
  const histograms = run.fanout
    .map((f) =>
      histogramSvg(
        f.histogram,
        `${f.transport}${f.setup ? ` (${f.setup})` : ''}, ${f.connections} dashboards, ${f.eventsPerSecond} events/s`,
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
