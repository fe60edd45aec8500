import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

export { STORY_LATENCY_MS } from './story.mjs';

/**
 * How long an end-to-end wait lasts before the scenario fails: far beyond the story's 5 s, so
 * that only an update that never comes fails a test, however loaded the machine.
 */
export const WAIT_MS = 30_000;

/** Event-to-DOM latency of every update a scenario waits for, written per test file. */
export class LatencyLog {
  private readonly samples = new Map<string, number[]>();

  constructor(private readonly file: string) {}

  record(scenario: string, ms: number): void {
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
