/**
 * The story's bound from a family's action to the consultant's screen. The scenarios record how
 * long each update took and `e2e/report.mjs` sets it beside this bound; none asserts it, since
 * speed is the benchmarks' business (`npm run bench`) and a busy machine is not a broken product.
 */
export const STORY_LATENCY_MS = 5_000;
