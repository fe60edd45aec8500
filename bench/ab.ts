// Render cost of two (or more) builds of the CDN bundle, compared in one run:
//
//   node --conditions=fg-source --import tsx bench/ab.ts before.js after.js [--rounds=6] [--frames=60] [--late-bookings]
//
// On a shared machine two runs of the browser phase can differ by a quarter with the same
// code. Here every build gets its own page in one Chromium, each showing `<fg-dashboard>` fed
// the same frames by a local store (no server, no network), and the pages take turns, round
// after round, so whatever else the machine does falls on all of them alike. Each step is one
// event (a message, a booking, a payment, a new family, in turn) and one frame; the result is
// the main thread's CPU time of each task that ran an animation frame, from a Chromium trace.
// A booking starts before every other consultation, so it enters the list; with
// --late-bookings it starts after them all, as in the browser phase of `npm run bench`, and
// the list's five rows come again unchanged.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { chromium, type Page } from 'playwright-core';
import { percentiles, tasksAround, type TraceEvent } from './lib.js';
import { chromiumLaunchOptions } from '../scripts/chromium.mjs';

const option = (name: string, fallback: number) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback);
const bundles = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const ROUNDS = option('rounds', 6);
const FRAMES = option('frames', 60);
const LATE_BOOKINGS = process.argv.includes('--late-bookings');

/** The tests' scripted backend, for the page: `DashboardScript` hands out valid event frames. */
async function framesScript(): Promise<string> {
  const result = await build({
    stdin: {
      contents: `import * as frames from './packages/elements/src/test/frames.ts'; globalThis.FG_FRAMES = frames;`,
      resolveDir: process.cwd(),
      loader: 'ts',
    },
    bundle: true,
    format: 'iife',
    conditions: ['fg-source', 'browser'],
    write: false,
  });
  return result.outputFiles[0]!.text;
}

/** The page: a provider on a local store, `<fg-dashboard>`, and `step()`, which plays one event and waits for its frame. */
const PAGE = `<!doctype html><body style="margin:0"><script src="/frames.js"></script><script type="module">
  import { createDashboardStore } from '/bundle.js';
  const { DashboardScript, messageItem, upcomingItem, NOW } = FG_FRAMES;
  const store = createDashboardStore();
  const script = new DashboardScript();
  const provider = document.createElement('fg-dashboard-provider');
  provider.client = store;
  provider.append(document.createElement('fg-dashboard'));
  document.body.append(provider);
  store.receive(script.snapshotFrame());
  let n = 0;
  const events = [
    () => script.message(messageItem(100 + n, { familyName: 'The Family ' + n, preview: 'About the next consultation, ' + n })),
    () => script.book(upcomingItem(100 + n, { familyName: 'The Booking ' + n, startsAt: new Date(NOW + ${LATE_BOOKINGS ? '2 * 86_400_000 + n * 1000' : '30 * 60_000 - n * 1000'}).toISOString() })),
    () => script.payment(1250),
    () => script.associateFamily(),
  ];
  window.step = () => new Promise((resolve) => {
    store.receive(events[n++ % events.length]());
    requestAnimationFrame(() => setTimeout(resolve));
  });
  window.ready = true;
</script>`;

/** CPU time (ms) of each task that ran an animation frame, on the thread that marked `mark`. */
function frameTasks(events: TraceEvent[], mark: string): number[] {
  const marked = events.find((e) => e.name === mark);
  if (!marked) return [];
  const frames = events.filter(
    (e) => e.pid === marked.pid && e.tid === marked.tid && e.name === 'FireAnimationFrame',
  );
  return tasksAround(events, marked, frames).cpu;
}

async function main(): Promise<void> {
  if (bundles.length < 2)
    throw new Error('usage: bench/ab.ts before.js after.js [more.js] [--rounds=6] [--frames=60]');
  const frames = await framesScript();
  const browser = await chromium.launch(chromiumLaunchOptions());
  try {
    const pages: Page[] = [];
    for (const file of bundles) {
      const code = readFileSync(file, 'utf8');
      const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
      await page.route('http://ab.test/**', (route) => {
        const url = route.request().url();
        if (url.endsWith('/bundle.js')) return route.fulfill({ contentType: 'text/javascript', body: code });
        if (url.endsWith('/frames.js'))
          return route.fulfill({ contentType: 'text/javascript', body: frames });
        return route.fulfill({ contentType: 'text/html', body: PAGE });
      });
      await page.goto('http://ab.test/');
      await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready);
      // Warm up: the first updates compile code and fill caches.
      for (let k = 0; k < 20; k++)
        await page.evaluate(() => (window as unknown as { step(): Promise<void> }).step());
      pages.push(page);
    }
    await browser.startTracing(pages[0], {
      categories: ['toplevel', 'devtools.timeline', 'blink.user_timing'],
    });
    for (let round = 0; round < ROUNDS; round++) {
      for (const [index, page] of pages.entries()) {
        await page.bringToFront();
        await page.evaluate((i) => performance.mark(`ab-page-${i}`), index);
        for (let k = 0; k < FRAMES; k++) {
          await page.evaluate(() => (window as unknown as { step(): Promise<void> }).step());
        }
      }
    }
    const trace = JSON.parse((await browser.stopTracing()).toString('utf8')) as { traceEvents: TraceEvent[] };
    const results = bundles.map((file, index) => ({
      file,
      ...percentiles(frameTasks(trace.traceEvents, `ab-page-${index}`)),
    }));
    const base = results[0]!;
    console.log(
      `main-thread CPU per update frame (ms), ${ROUNDS} rounds of ${FRAMES} frames per build, in turns:`,
    );
    for (const r of results) {
      const ratio = (key: 'p50' | 'p95' | 'mean') =>
        r === base ? '' : ` (${(r[key] / base[key]).toFixed(2)}x)`;
      console.log(
        `${r.file.padEnd(40)} n ${r.count}  p50 ${r.p50.toFixed(2)}${ratio('p50')}  p95 ${r.p95.toFixed(2)}${ratio('p95')}  mean ${r.mean.toFixed(2)}${ratio('mean')}`,
      );
    }
  } finally {
    await browser.close();
  }
}

await main();
