// Prints p50/p95/max event-to-DOM latency per scenario from e2e/results/*.json and writes e2e/results/latency.json.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

const dir = 'e2e/results';
const all = {};
for (const file of readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'latency.json')) {
  Object.assign(all, JSON.parse(readFileSync(`${dir}/${file}`, 'utf8')));
}
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const rows = Object.entries(all).map(([scenario, list]) => {
  const sorted = [...list].sort((a, b) => a - b);
  return { scenario, n: sorted.length, p50: pct(sorted, 50), p95: pct(sorted, 95), max: sorted.at(-1) };
});
writeFileSync(`${dir}/latency.json`, JSON.stringify(rows, null, 2));
console.log('event-to-DOM latency (ms), end to end:');
for (const r of rows) {
  console.log(
    `  ${r.scenario}: n=${r.n} p50=${r.p50.toFixed(0)} p95=${r.p95.toFixed(0)} max=${r.max.toFixed(0)}`,
  );
}
