// `npm run soak -- --minutes N`: the real-time version of the long-session scenario, outside
// the test suite. One dashboard in headless Chromium against the reference server on the
// system clock, families acting every second for N minutes; reports the JS heap after GC
// each minute, its growth, and whether every widget still equals the server at the end.
import { DemoApi } from './support/api.js';
import { launchChromium, openDashboard, statText, untilSeq } from './support/browser.js';
import { startServerProcess } from './support/server.js';

const arg = process.argv.indexOf('--minutes');
const minutes = arg > 0 ? Number(process.argv[arg + 1]) : 5;
if (!Number.isFinite(minutes) || minutes <= 0 || minutes > 24 * 60) {
  console.error('usage: npm run soak -- --minutes N   (0 < N <= 1440)');
  process.exit(2);
}
const CONSULTANT = 'c-story';
const PER_SECOND = 4;

const server = await startServerProcess({ env: { FG_CLOCK: 'system' } });
const api = new DemoApi(server.url);
const browser = await launchChromium();
try {
  const context = await browser.newContext();
  const page = await openDashboard(context, server.url, CONSULTANT);
  const cdp = await context.newCDPSession(page);
  const heap = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    return (await cdp.send('Runtime.getHeapUsage')).usedSize;
  };
  const actions = [
    { action: 'message', familyName: 'The Soak family', text: 'Still here' },
    { action: 'payment', amountMinor: 1_000 },
    { action: 'associate-family', familyName: 'The Soak family' },
    { action: 'book', startsInSeconds: 120, durationMinutes: 5, familyName: 'The Soak booking' },
    { action: 'add-task', title: 'Soak task', dueInDays: 0 },
  ] as const;
  const samples: { minute: number; heapBytes: number; events: number }[] = [];
  let events = 0;
  samples.push({ minute: 0, heapBytes: await heap(), events });
  console.log(
    `soak: ${minutes} min, ${PER_SECOND} events/s; heap at start ${(samples[0]!.heapBytes / 1e6).toFixed(2)} MB`,
  );
  const end = Date.now() + minutes * 60_000;
  let nextSample = Date.now() + 60_000;
  while (Date.now() < end) {
    const started = Date.now();
    for (let i = 0; i < PER_SECOND; i++) {
      await api.simulate(CONSULTANT, actions[events++ % actions.length]!).catch(() => undefined);
    }
    if (Date.now() >= nextSample) {
      nextSample += 60_000;
      const sample = { minute: samples.length, heapBytes: await heap(), events };
      samples.push(sample);
      console.log(
        `  minute ${sample.minute}: heap ${(sample.heapBytes / 1e6).toFixed(2)} MB after ${events} events`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1_000 - (Date.now() - started))));
  }
  const snapshot = await api.snapshot(CONSULTANT);
  await untilSeq(page, snapshot.seq);
  const last = { minute: minutes, heapBytes: await heap(), events };
  samples.push(last);
  const families = await statText(page, 'Family Clients');
  const current = families === String(snapshot.counts.familyClients);
  const growth = last.heapBytes - samples[0]!.heapBytes;
  console.log(
    `soak: ${events} events; heap ${(samples[0]!.heapBytes / 1e6).toFixed(2)} -> ${(last.heapBytes / 1e6).toFixed(2)} MB ` +
      `(growth ${(growth / 1e6).toFixed(2)} MB); widgets equal the server: ${current ? 'yes' : 'NO'}`,
  );
  process.exitCode = current ? 0 : 1;
} finally {
  await browser.close();
  await server.stop();
}
