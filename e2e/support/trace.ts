import type { Browser, Page } from 'playwright-core';

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

export interface MainThreadTask {
  /** Wall time of the task (ms): what a long-task observer sees. */
  wallMs: number;
  /** Time the main thread was on a CPU during the task (ms): the page's own cost. */
  cpuMs: number;
}

/**
 * Records the page's main-thread tasks. A task's wall time on a busy 2-core machine includes
 * waiting for a CPU; its thread time does not, so "the page blocked itself" is told apart
 * from "the machine was busy".
 */
export async function traceMainThread(
  browser: Browser,
  page: Page,
): Promise<() => Promise<MainThreadTask[]>> {
  await browser.startTracing(page, { screenshots: false, categories: ['toplevel', 'devtools.timeline'] });
  return async () => {
    const { traceEvents } = JSON.parse((await browser.stopTracing()).toString('utf8')) as {
      traceEvents: TraceEvent[];
    };
    const mains = traceEvents.filter(
      (e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain',
    );
    const tasksOf = (t: TraceEvent) =>
      traceEvents.filter(
        (e) =>
          e.pid === t.pid && e.tid === t.tid && e.ph === 'X' && e.name === 'ThreadControllerImpl::RunTask',
      );
    const busiest = mains.map(tasksOf).sort((a, b) => b.length - a.length)[0] ?? [];
    return busiest.map((e) => ({ wallMs: (e.dur ?? 0) / 1000, cpuMs: (e.tdur ?? e.dur ?? 0) / 1000 }));
  };
}
