// Prints p50/p95/max event-to-DOM latency per scenario from e2e/results/*.json, beside the
// story's 5 s, and writes e2e/results/latency.json. Reports, never fails: speed is measured
// by the benchmarks.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { STORY_LATENCY_MS as STORY_MS } from './support/story.mjs';

const dir = 'e2e/results';
const all = {};
for (const file of readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'latency.json')) {
  Object.assign(all, JSON.parse(readFileSync(`${dir}/${file}`, 'utf8')));
}
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const rows = Object.entries(all).map(([scenario, list]) => {
  const sorted = [...list].sort((a, b) => a - b);
  const over = sorted.filter((ms) => ms >= STORY_MS).length;
  return { scenario, n: sorted.length, p50: pct(sorted, 50), p95: pct(sorted, 95), max: sorted.at(-1), over };
});
writeFileSync(`${dir}/latency.json`, JSON.stringify({ storyMs: STORY_MS, scenarios: rows }, null, 2));
console.log(`event-to-DOM latency (ms), end to end (the story asks < ${STORY_MS}):`);
for (const r of rows) {
  const flag = r.over ? `  ${r.over} of ${r.n} at or over ${STORY_MS} ms` : '';
  console.log(
    `  ${r.scenario}: n=${r.n} p50=${r.p50.toFixed(0)} p95=${r.p95.toFixed(0)} max=${r.max.toFixed(0)}${flag}`,
  );
}
const over = rows.reduce((sum, r) => sum + r.over, 0);
const total = rows.reduce((sum, r) => sum + r.n, 0);
console.log(
  over
    ? `${over} of ${total} updates took ${STORY_MS} ms or more.`
    : `all ${total} updates under ${STORY_MS} ms.`,
);
