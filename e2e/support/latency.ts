import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/** Event-to-DOM latency of every update a scenario waits for, written per test file. */
export class LatencyLog {
  private readonly samples = new Map<string, number[]>();

  constructor(private readonly file: string) {}

  record(scenario: string, ms: number): void {
    if (ms > 5_000) throw new Error(`${scenario}: update took ${ms.toFixed(0)} ms, over the 5 s budget`);
    const list = this.samples.get(scenario) ?? [];
    list.push(ms);
    this.samples.set(scenario, list);
  }

  write(): void {
    const dir = join(process.cwd(), 'e2e', 'results');
    mkdirSync(dir, { recursive: true });
    const out = Object.fromEntries([...this.samples].map(([name, list]) => [name, list]));
    writeFileSync(
      join(dir, `${basename(this.file).replace(/\.test\.ts$/, '')}.json`),
      JSON.stringify(out, null, 2),
    );
  }
}
